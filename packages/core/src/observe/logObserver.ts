import { proxyStatusType } from '../errors/failures.js'
import type { GatewayObserver } from '../events/GatewayEvents.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'

/** An attempt's phases as a log record shows them, in ms (one decimal). */
export interface LoggedTimings {
  /** Waiting for a pooled connection and connecting (undici tells them apart for no request). */
  readonly connectMs?: number
  /** Sending the request. */
  readonly sendMs?: number
  /** From the request sent to the response headers. */
  readonly waitMs?: number
  /** The whole attempt, to its end (or now). */
  readonly totalMs: number
}

/**
 * The gateway's log records, as an observer of its event seam: one per answer the gateway generated
 * (502/503/504 at `error`, a 4xx at `info`), per connection cut after the response headers, per
 * attempt shed at the gateway's own limit (`warn`, with why: `queue_full`, `queue_timeout`,
 * `queue_standing`), per retry, ejection and restoration, a `warn` record per response body
 * `rewriteResponseBody` left alone, and a `debug` record for a client that left (nginx's 499).
 *
 * A record names the request id, method, path **without the query string**, target origin, failure
 * kind (its RFC 9209 type), phase, `nextHop: 'outbound-proxy'` for a failure at guard mode's outbound
 * proxy, attempt, status and the attempt's timings: never a header value,
 * a body, a query string, a cookie or a credential.
 *
 * A record about a request goes to the request's own logger when its adapter gave one (Fastify's
 * `request.log`, with the app's request id), else to `logger`; a target's ejection and restoration,
 * which belong to no request, to `logger`.
 */
export function logObserver(logger: GatewayLogger): GatewayObserver {
  return {
    response(event) {
      const error = event.error
      if (error === undefined) return
      const kind = proxyStatusType(error.code)
      const record = {
        requestId: event.requestId,
        method: event.method,
        path: withoutQuery(event.path),
        target: event.target,
        kind,
        phase: error.phase,
        // guard mode's outbound proxy failed (its alias, never its address), with the status it refused with
        ...(error.atOutboundProxy ? { nextHop: 'outbound-proxy', receivedStatus: error.receivedStatus } : {}),
        attempt: event.attempts,
        status: event.status,
        ...(event.phases === undefined ? {} : { timings: timings(event.phases) }),
      }
      const message = `gateway answered ${event.status} ${kind}`
      const log = event.log ?? logger
      if (event.status >= 500) log.error(record, message)
      else log.info(record, message)
    },
    failure(error, context) {
      if (context.shed !== undefined) {
        // the attempt's own record: a retry may still get a place at another target
        logger.warn(
          {
            requestId: context.requestId,
            method: context.method,
            path: withoutQuery(context.path),
            target: context.target,
            kind: proxyStatusType(error.code),
            shed: context.shed,
            attempt: context.attempt,
          },
          `request shed at the gateway's limit: ${context.shed}`,
        )
        return
      }
      // before response headers the answer's record says it all; after them, the connection was cut
      if (!error.afterHeaders) return
      const kind = proxyStatusType(error.code)
      const log = context.log ?? logger
      log.error(
        {
          requestId: context.requestId,
          method: context.method,
          path: withoutQuery(context.path),
          target: context.target,
          kind,
          phase: error.phase,
          attempt: context.attempt,
          cut: true,
        },
        `connection cut after the response headers: ${kind}`,
      )
    },
    retry(context) {
      const log = context.log ?? logger
      log.warn(
        {
          requestId: context.requestId,
          method: context.method,
          path: withoutQuery(context.path),
          target: context.target,
          reason: context.reason,
          attempt: context.attempt,
          delayMs: context.delay,
        },
        `retrying after ${context.reason}`,
      )
    },
    health(event) {
      if (event.state === 'ejected') {
        logger.warn({ target: event.target, restMs: event.restMs }, 'target ejected by passive health')
      } else logger.info({ target: event.target }, 'target restored')
    },
    warning(event) {
      logger.warn(
        {
          requestId: event.requestId,
          method: event.method,
          path: withoutQuery(event.path),
          target: event.target,
          kind: event.code,
        },
        event.code === 'response_body_over_limit'
          ? 'response body over rewriteResponseBody.limit: passed through unrewritten'
          : 'response body in a coding the gateway cannot decode: passed through unrewritten',
      )
    },
    departure(event) {
      const log = event.log ?? logger
      log.debug(
        { requestId: event.requestId, method: event.method, path: withoutQuery(event.path), status: 499 },
        'client closed the request',
      )
    },
  }
}

function withoutQuery(path: string): string {
  const at = path.indexOf('?')
  return at === -1 ? path : path.slice(0, at)
}

function timings(phases: PhaseRecord): LoggedTimings {
  const { started, connected, sent, firstByte, ended } = phases
  const end = ended ?? performance.now()
  return {
    ...(connected === undefined ? {} : { connectMs: ms(connected - started) }),
    ...(connected === undefined || sent === undefined ? {} : { sendMs: ms(sent - connected) }),
    ...(sent === undefined || firstByte === undefined ? {} : { waitMs: ms(firstByte - sent) }),
    totalMs: ms(end - started),
  }
}

function ms(value: number): number {
  return Math.round(value * 10) / 10
}
