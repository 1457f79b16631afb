import type { Dispatcher } from 'undici'
import { FAILURES } from '../errors/failures.js'
import { type GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { RetryContext } from '../events/FailureContext.js'
import type { ResolvedRetry } from '../options/resolveOptions.js'
import type { RetryBudget } from '../policy/RetryBudget.js'
import { type AttemptOutcome, retryDelay } from '../policy/retryDelay.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { Destination } from '../targets/TargetSet.js'
import { type AttemptRoute, dispatchOptions } from './dispatchOptions.js'
import type { ReplayableBody } from './ReplayableBody.js'
import { callUpstream, type UpstreamResponse } from './UpstreamCall.js'
import { drain, rawHeaderValue } from './upstreamResponseParts.js'

/** One request to forward, with everything its attempts need. */
export interface ForwardPlan {
  readonly method: string
  readonly idempotencyKey: boolean
  /** `null` without a body; a buffer or string is always replayable. */
  readonly body: ReplayableBody | Buffer | Uint8Array | string | null
  readonly timeout: { readonly connect: number; readonly headers: number; readonly idle: number }
  /** `performance.now()` by which response headers must have arrived, over all attempts. */
  readonly deadline: number
  readonly signal: AbortSignalLike
  /** `undefined` when retries are off. */
  readonly retry: ResolvedRetry | undefined
  readonly budget: RetryBudget | undefined
  /** The next destination (another than `avoid` when there is one), or the failure when none is available. */
  pick(avoid: Destination | undefined): Destination | GatewayError
  /** Where to send the request at a destination (path, headers); the body is added per attempt. */
  dispatch(destination: Destination): AttemptRoute
  /** Tell `onError` of a failure. */
  report(error: GatewayError, destination: Destination | undefined, attempt: number): void
  /** Tell `onRetry` of a retry away from `destination`. */
  retrying(destination: Destination, retry: Pick<RetryContext, 'reason' | 'attempt' | 'delay'>): void
}

/** The response that came back, and where from. */
export interface Forwarded {
  readonly response: UpstreamResponse
  readonly destination: Destination
}

/**
 * Send a request upstream, retrying as the policy allows: a different target per retry when there
 * are several, full-jitter backoff or the upstream's `Retry-After`, the retry budget, and every
 * attempt inside the one deadline. Resolves at the response headers (nothing was sent to the client
 * yet, so retrying was still possible); rejects with the last failure.
 */
export async function forward(plan: ForwardPlan): Promise<Forwarded> {
  let previous: Destination | undefined
  let holdingBudget = false
  try {
    for (let attempt = 1; ; attempt++) {
      const destination = plan.pick(previous)
      if (isGatewayError(destination)) {
        plan.report(destination, undefined, attempt)
        throw destination
      }
      const circuit = destination.circuit
      circuit?.claim(Date.now())
      let outcome: AttemptOutcome
      let response: UpstreamResponse | undefined
      let failure: GatewayError | undefined
      try {
        response = await callUpstream({
          dispatcher: destination.dispatcher,
          request: dispatchOptions(plan.dispatch(destination), attemptBody(plan.body)),
          timeout: plan.timeout,
          deadline: plan.deadline,
          signal: plan.signal,
          onFailure: (error) => plan.report(error, destination, attempt),
          bodyPending: () => bodyPending(plan.body),
        })
        circuit?.succeeded()
        if (plan.retry === undefined || !plan.retry.statusCodes.has(response.statusCode))
          return { response, destination }
        outcome = { status: response.statusCode, retryAfter: rawHeaderValue(response.rawHeaders, 'retry-after') }
      } catch (error) {
        if (!isGatewayError(error) || plan.signal.aborted) {
          circuit?.released()
          throw error
        }
        if (FAILURES[error.code].ejects) circuit?.failed(Date.now())
        else circuit?.succeeded()
        failure = error
        outcome = { code: error.code }
      } finally {
        if (holdingBudget) plan.budget?.release()
        holdingBudget = false
      }

      const delay =
        plan.retry === undefined
          ? undefined
          : retryDelay(
              outcome,
              attempt,
              {
                method: plan.method,
                idempotencyKey: plan.idempotencyKey,
                replayable: replayable(plan.body),
                remainingMs: plan.deadline - performance.now(),
              },
              plan.retry,
            )
      if (delay === undefined || (plan.budget !== undefined && !plan.budget.tryAcquire())) {
        if (response !== undefined) return { response, destination }
        throw failure
      }
      holdingBudget = plan.budget !== undefined
      if (response !== undefined) await drain(response)
      plan.retrying(destination, {
        reason: 'code' in outcome ? outcome.code : `status_${outcome.status}`,
        attempt,
        delay,
      })
      await sleep(delay, plan.signal)
      previous = destination
    }
  } catch (error) {
    if (holdingBudget) plan.budget?.release()
    throw error
  }
}

function attemptBody(body: ForwardPlan['body']): Dispatcher.DispatchOptions['body'] {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return body
  return body.forAttempt()
}

function bodyPending(body: ForwardPlan['body']): boolean {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return false
  return body.pending()
}

function replayable(body: ForwardPlan['body']): boolean {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return true
  return body.replayable()
}

/** Wait `ms`, or reject with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignalLike): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort)
  })
}
