import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { RetryTicket } from '../policy/RetryBudget.js'
import { type AttemptOutcome, retryDelay } from '../policy/retryDelay.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { Destination } from '../targets/TargetSet.js'
import { AttemptRecord } from './AttemptRecord.js'
import { attemptAt, type Settled } from './attemptAt.js'
import type { ForwardPlan } from './ForwardPlan.js'
import type { GatewayContext } from './GatewayContext.js'
import { hedgedAttempt } from './hedged.js'

export type { ForwardPlan, ResponseShape } from './ForwardPlan.js'

/** The response that came back, where from, and on which attempt. */
export interface Forwarded<R> {
  readonly response: R
  readonly destination: Destination
  readonly attempt: number
}

/**
 * The one attempt loop, for the proxy, guard mode's `request()` and its `fetch()` alike: send a
 * request upstream, retrying as the policy allows — a different target per retry when there are
 * several, full-jitter backoff or the upstream's `Retry-After`, the retry budget (every request in
 * the loop counts as active; each retry's attempt holds a place until it ends), and every attempt
 * inside the one deadline. A retry's wait ends when the signal aborts. Resolves at the response
 * headers (nothing was sent to the client yet, so retrying was still possible); rejects with the
 * last failure.
 */
export async function forward<R>(context: GatewayContext, plan: ForwardPlan<R>): Promise<Forwarded<R>> {
  const { budget, lifecycle, events } = context
  const retry = context.options.retry
  budget?.requestStarted()
  // the budget's place held by the retry under way: from the decision to retry to the end of its attempt
  let ticket: RetryTicket | undefined
  const lateFailure = (error: GatewayError, attempt: AttemptRecord) => {
    if (events.wants.failure) {
      events.failure(error, { method: plan.method, ...plan.where(attempt.destination), attempt: attempt.number })
    }
  }
  try {
    let previous: Destination | undefined
    for (let attempt = 1; ; attempt++) {
      const destination = lifecycle.closing ? new GatewayError('destination_unavailable') : plan.pick(previous)
      if (isGatewayError(destination)) {
        if (events.wants.failure)
          events.failure(destination, { method: plan.method, ...plan.where(undefined), attempt })
        throw destination
      }
      let settled: Settled<R>
      const record = new AttemptRecord(destination, attempt, lateFailure)
      let settledBy = record
      try {
        const hedgeAfter = plan.hedgeAfter === 'recent' ? destination.latency?.hedgeDelay : plan.hedgeAfter
        if (hedgeAfter === undefined) settled = await attemptAt(context, plan, record)
        else {
          const hedged = await hedgedAttempt(context, plan, record, hedgeAfter, (at, number) => {
            return new AttemptRecord(at, number, lateFailure)
          })
          settled = hedged.settled
          settledBy = hedged.record
          attempt += hedged.used - 1
        }
      } finally {
        ticket?.release()
        ticket = undefined
      }
      const { response, failure } = settled
      if (response !== undefined && (retry === undefined || !retry.statusCodes.has(plan.shape.status(response)))) {
        return { response, destination: settledBy.destination, attempt: settledBy.number }
      }
      const outcome: AttemptOutcome =
        response !== undefined
          ? { status: plan.shape.status(response), retryAfter: plan.shape.retryAfter(response) }
          : { code: (failure as GatewayError).code }
      const delay =
        retry === undefined
          ? undefined
          : retryDelay(
              outcome,
              attempt,
              {
                method: plan.method,
                idempotencyKey: plan.idempotencyKey,
                replayable: plan.replayable(),
                remainingMs: plan.deadline - performance.now(),
              },
              retry,
            )
      ticket = delay === undefined ? undefined : budget === undefined ? NO_BUDGET : budget.acquire()
      if (delay === undefined || ticket === undefined) {
        if (response !== undefined) return { response, destination: settledBy.destination, attempt: settledBy.number }
        throw failure
      }
      if (response !== undefined) await plan.shape.discard(response)
      if (events.wants.retry) {
        events.retry({
          reason: 'code' in outcome ? outcome.code : `status_${outcome.status}`,
          attempt,
          delay,
          method: plan.method,
          ...plan.where(destination),
        })
      }
      await sleep(delay, plan.signal)
      previous = destination
    }
  } finally {
    ticket?.release()
    budget?.requestEnded()
  }
}

/** Retries off the budget (none configured): a ticket with nothing to release. */
const NO_BUDGET: RetryTicket = { release() {} }

/** Wait `ms`, or reject with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignalLike): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason)
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
