import type { FailureCode } from '../errors/failures.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'

/**
 * Why the gateway shed a request at its own limit (`connection_limit_reached`): its queue for the
 * target was full (`limits.queue`), the wait ran out (`timeout.queue` or the request's deadline), or
 * the queue had been standing and the request was among its oldest (see the README's Overload).
 */
export type ShedReason = 'queue_full' | 'queue_timeout' | 'queue_standing'

/** What `onError` is told besides the error. Holds nothing secret. */
export interface FailureContext {
  /** The client's request method. */
  method: string
  /** The path (and query) sent upstream. */
  path: string
  /** The origin of the target that failed, as configured. */
  target: string
  /** Which attempt failed: 1 for the first. */
  attempt: number
  /** The request's id (`X-Request-Id`, as forwarded and on the gateway's pages), to correlate logs. */
  requestId?: string
  /**
   * The request's own logger, when its adapter gave one (Fastify's `request.log`): the log records'
   * destination. Observers of the event seam are told it; `onError` and `onRetry` are not.
   */
  log?: GatewayLogger | undefined
  /**
   * Set when a custom error page failed (threw, rejected, timed out or returned no page): its
   * `errorPages` key. The error is then a `proxy_internal_error` whose `cause` is the page's error;
   * the client got the default page.
   */
  errorPage?: string
  /** Set when the gateway shed the request at its own limit (`connection_limit_reached`): why. */
  shed?: ShedReason
}

/** What `onRetry` is told: the failure that is retried, and when. Holds nothing secret. */
export interface RetryContext extends FailureContext {
  /** The failure kind, or `status_<code>` for a listed upstream status. */
  reason: FailureCode | `status_${number}`
  /** Milliseconds until the next attempt. */
  delay: number
}
