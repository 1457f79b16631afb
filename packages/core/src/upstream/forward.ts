import { FAILURES } from '../errors/failures.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { RetryTicket } from '../policy/RetryBudget.js'
import { type AttemptOutcome, retryDelay } from '../policy/retryDelay.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { Destination } from '../targets/TargetSet.js'
import { AttemptRecord } from './AttemptRecord.js'
import type { GatewayContext } from './GatewayContext.js'

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
  /** The path sent to `destination`, and its origin, for events (the client's path without one). */
  where(destination: Destination | undefined): {
    readonly path: string
    readonly target: string
    readonly requestId?: string
  }
}

/** The response that came back, where from, and on which attempt. */
export interface Forwarded<R> {
  readonly response: R
  readonly destination: Destination
  readonly attempt: number
}

/** What one attempt came to: a response, or an upstream failure. */
type Settled<R> =
  | { readonly response: R; readonly failure?: undefined }
  | { readonly response?: undefined; readonly failure: GatewayError }

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
      try {
        settled = await attemptAt(context, plan, new AttemptRecord(destination, attempt, lateFailure))
      } finally {
        ticket?.release()
        ticket = undefined
      }
      const { response, failure } = settled
      if (response !== undefined && (retry === undefined || !retry.statusCodes.has(plan.shape.status(response)))) {
        return { response, destination, attempt }
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
        if (response !== undefined) return { response, destination, attempt }
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

/**
 * One attempt at a destination, with its passive health told (a failure to connect counts against
 * the target, an answer or a later failure for it, an abort neither), its start and its outcome
 * announced. Rejects only for an abort or a bug; an upstream failure is told and settles as `{ failure }`.
 */
async function attemptAt<R>(
  context: GatewayContext,
  plan: ForwardPlan<R>,
  attempt: AttemptRecord,
): Promise<Settled<R>> {
  const { destination } = attempt
  const { events } = context
  const circuit = destination.circuit
  circuit?.claim(Date.now())
  if (events.wants.attemptStart) {
    events.attemptStart({
      method: plan.method,
      ...plan.where(destination),
      attempt: attempt.number,
      phases: attempt,
      clientHeaders: plan.clientHeaders,
      setHeader: (name, value) => attempt.setHeader(name, value),
    })
  }
  let settled: Settled<R>
  try {
    const response = await plan.send(attempt)
    plan.shape.started(response, attempt)
    circuit?.succeeded()
    settled = { response }
  } catch (error) {
    if (!isGatewayError(error) || plan.signal.aborted) {
      circuit?.released()
      if (events.wants.attempt) {
        attempt.ended ??= performance.now()
        const aborted = plan.signal.aborted
        announce(context, plan, attempt, undefined, aborted && isGatewayError(error) ? error : undefined, aborted)
      }
      throw error
    }
    attempt.ended = performance.now()
    if (FAILURES[error.code].ejects) circuit?.failed(Date.now())
    else circuit?.succeeded()
    if (events.wants.failure) {
      events.failure(error, { method: plan.method, ...plan.where(destination), attempt: attempt.number })
    }
    settled = { failure: error }
  }
  if (events.wants.attempt) {
    const status = settled.response === undefined ? undefined : plan.shape.status(settled.response)
    announce(context, plan, attempt, status, settled.failure, false)
  }
  return settled
}

/** Announce how an attempt ended. */
function announce<R>(
  { events }: GatewayContext,
  plan: ForwardPlan<R>,
  attempt: AttemptRecord,
  status: number | undefined,
  error: GatewayError | undefined,
  aborted: boolean,
): void {
  events.attempt({
    method: plan.method,
    ...plan.where(attempt.destination),
    attempt: attempt.number,
    status,
    error,
    aborted,
    phases: attempt,
  })
}

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
