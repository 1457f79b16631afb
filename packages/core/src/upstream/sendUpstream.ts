import { rawHeaderValue } from '../http/rawHeaderValue.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { AttemptRecord } from './AttemptRecord.js'
import { type AttemptRoute, dispatchOptions } from './dispatchOptions.js'
import { drain } from './drain.js'
import type { ResponseShape } from './forward.js'
import { attemptBody, bodyPending, type ForwardBody, ReplayableBody } from './ReplayableBody.js'
import { callUpstream, type UpstreamResponse } from './UpstreamExchange.js'

/** How the attempt loop reads an undici exchange's response. */
export const UPSTREAM_RESPONSE: ResponseShape<UpstreamResponse> = {
  status: (response) => response.statusCode,
  // the exchange records its own phases
  started: () => {},
  retryAfter: (response) => rawHeaderValue(response.rawHeaders, 'retry-after'),
  discard: drain,
}

/** What every attempt of one request shares. */
export interface UpstreamAttempts {
  readonly body: ForwardBody
  readonly timeout: { readonly connect: number; readonly headers: number; readonly idle: number }
  readonly deadline: number
  readonly signal: AbortSignalLike
  /** Check each response body against its `Content-Length` (`http2`: see {@link CallSpec.verifyLength}). */
  readonly verifyLength: boolean
}

/**
 * One attempt through undici's dispatcher at the attempt's destination: the body afresh, the
 * attempt's own headers (a tracer's `traceparent`) in place of the request's, the phase timers, and
 * the attempt told of a failure after the response headers (one before them rejects).
 */
export function sendUpstream(
  attempts: UpstreamAttempts,
  attempt: AttemptRecord,
  route: AttemptRoute,
): Promise<UpstreamResponse> {
  const body = attempts.body
  return callUpstream({
    dispatcher: attempt.destination.dispatcher,
    request: dispatchOptions(route, attemptBody(body), attempt.headers),
    timeout: attempts.timeout,
    deadline: attempts.deadline,
    signal: attempt.signal ?? attempts.signal,
    attempt,
    // only a body still streaming in can be pending: none (a GET) or a buffer never is
    bodyPending: body instanceof ReplayableBody ? () => bodyPending(body) : undefined,
    verifyLength: attempts.verifyLength,
  })
}
