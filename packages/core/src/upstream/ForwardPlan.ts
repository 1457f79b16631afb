import type { GatewayError } from '../errors/GatewayError.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { Destination } from '../targets/TargetSet.js'
import type { AttemptRecord } from './AttemptRecord.js'

/**
 * How the attempt loop reads the kind of response an attempt resolves with: undici's dispatch
 * (the proxy, `request()`) and undici's `fetch` (`fetch()`) answer in different shapes.
 */
export interface ResponseShape<R> {
  status(response: R): number
  retryAfter(response: R): string | undefined
  /** Note that the response headers arrived (undici's dispatch records it itself). */
  started(response: R, attempt: AttemptRecord): void
  /** Let go of a response that is retried: read or cancel it, so its connection is freed. Never rejects. */
  discard(response: R): Promise<void>
}

/** One request to forward, with everything its attempts need. */
export interface ForwardPlan<R> {
  readonly method: string
  readonly idempotencyKey: boolean
  /** `performance.now()` by which response headers must have arrived, over all attempts. */
  readonly deadline: number
  /** Aborts the request: an attempt in flight, and a retry's wait. */
  readonly signal: AbortSignalLike
  readonly shape: ResponseShape<R>
  /** The next destination (another than `avoid` when there is one), or the failure when none is available. */
  pick(avoid: Destination | undefined): Destination | GatewayError
  /**
   * Make one attempt. Resolves at the response headers; rejects with a `GatewayError` for an upstream
   * failure, with the signal's reason when aborted, and with any other error for a bug.
   */
  send(attempt: AttemptRecord): Promise<R>
  /** Whether another attempt could send the whole request body again. */
  replayable(): boolean
  /** The client's request header lines as received, for observers (a tracer's incoming `traceparent`). */
  readonly clientHeaders: readonly string[] | undefined
  /**
   * Hedge the attempts after this long without response headers (ms), or after the target's recent
   * latency percentile (`'recent'`: its `RecentLatency`); absent: never.
   */
  readonly hedgeAfter?: number | 'recent' | undefined
  /** Whether one more target may be ejected for its answers (outlier detection); absent: never. */
  readonly mayEjectForAnswers?: (() => boolean) | undefined
  /** The path sent to `destination`, and its origin, for events (the client's path without one). */
  where(destination: Destination | undefined): {
    readonly path: string
    readonly target: string
    readonly requestId?: string
    /** The request's own logger (see `GatewayRequest.log`). */
    readonly log?: GatewayLogger | undefined
  }
}
