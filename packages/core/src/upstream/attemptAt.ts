import { FAILURES } from '../errors/failures.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { AttemptRecord } from './AttemptRecord.js'
import type { ForwardPlan } from './ForwardPlan.js'
import type { GatewayContext } from './GatewayContext.js'

/** What one attempt came to: a response, or an upstream failure. */
export type Settled<R> =
  | { readonly response: R; readonly failure?: undefined }
  | { readonly response?: undefined; readonly failure: GatewayError }

/**
 * One attempt at a destination, with its passive health told (a failure to connect counts against
 * the target, an answer or a later failure for it, an abort neither) and its outcome announced.
 * Rejects only for an abort or a bug; an upstream failure is told and settles as `{ failure }`.
 *
 * Not an `async` function: one `then` on the exchange's promise is the attempt's only promise (an
 * `async` function and its `await` made two, each paying the OpenTelemetry context manager's promise
 * hooks when the SDK is registered); only waiting in a target queue's line makes more.
 */
export function attemptAt<R>(
  context: GatewayContext,
  plan: ForwardPlan<R>,
  attempt: AttemptRecord,
): Promise<Settled<R>> {
  const queue = attempt.destination.queue
  if (queue === undefined) return begin(context, plan, attempt)
  if (queue.tryTake()) {
    attempt.hold(queue)
    return begin(context, plan, attempt)
  }
  // the gateway's own limit: waiting for a place is never the upstream's failure (no circuit, no ejection)
  const waitMs = Math.min(context.options.timeout.queue, plan.deadline - performance.now())
  return queue.wait(waitMs, plan.signal).then((shed) => {
    if (shed === undefined) {
      attempt.hold(queue)
      return begin(context, plan, attempt)
    }
    const error = new GatewayError('connection_limit_reached', { phase: 'connect', retryAfter: 1 })
    attempt.ended = performance.now()
    const { events } = context
    if (events.wants.failure) {
      events.failure(error, {
        method: plan.method,
        ...plan.where(attempt.destination),
        attempt: attempt.number,
        shed,
      })
    }
    return { failure: error }
  })
}

/** The attempt, with its place (if its target has a queue) taken: send it, and settle what it came to. */
function begin<R>(context: GatewayContext, plan: ForwardPlan<R>, attempt: AttemptRecord): Promise<Settled<R>> {
  const { destination } = attempt
  const { events } = context
  destination.circuit?.claim(Date.now())
  destination.state.inFlight++
  let sending: Promise<R>
  try {
    if (events.wants.attemptStart) {
      // the event's fields one by one, not spread from `where`: a spread inside a literal is copied
      // property by property at run time, and made the observers of an attempt's two events 0.2–0.9 µs
      // slower per attempt (bench/measure/observerCost.mjs, Node 20)
      const { path, target } = plan.where(destination)
      events.attemptStart({
        method: plan.method,
        path,
        target,
        attempt: attempt.number,
        phases: attempt,
        clientHeaders: plan.clientHeaders,
        setHeader: (name, value) => attempt.setHeader(name, value),
      })
    }
    sending = plan.send(attempt)
  } catch (error) {
    // a throw before the exchange began settles as its rejection would
    sending = Promise.reject(error)
  }
  return sending.then(
    (response) => answered(context, plan, attempt, response),
    (error: unknown) => failed(context, plan, attempt, error),
  )
}

/** The attempt got its response headers. */
function answered<R>(context: GatewayContext, plan: ForwardPlan<R>, attempt: AttemptRecord, response: R): Settled<R> {
  const { destination } = attempt
  const circuit = destination.circuit
  try {
    plan.shape.started(response, attempt)
    if (destination.limiter !== undefined || destination.latency !== undefined) {
      const rttMs = (attempt.firstByte ?? performance.now()) - attempt.dispatched
      destination.limiter?.observe(rttMs, false)
      destination.latency?.record(rttMs)
    }
    circuit?.succeeded()
    if (circuit !== undefined && plan.mayEjectForAnswers !== undefined) {
      circuit.answered(plan.shape.status(response), Date.now(), plan.mayEjectForAnswers)
    }
  } finally {
    destination.state.inFlight--
  }
  if (context.events.wants.attempt) announce(context, plan, attempt, plan.shape.status(response), undefined, false)
  return { response }
}

/** The attempt failed (or was aborted) before its response headers. */
function failed<R>(context: GatewayContext, plan: ForwardPlan<R>, attempt: AttemptRecord, error: unknown): Settled<R> {
  const { destination } = attempt
  const { events } = context
  const circuit = destination.circuit
  try {
    // the exchange ended with the failure (or never began): its queue place is free either way
    attempt.finished()
    if (!isGatewayError(error) || plan.signal.aborted) {
      circuit?.released()
      if (events.wants.attempt) {
        attempt.ended ??= performance.now()
        // the request's signal, or this attempt's own (a hedge that lost)
        const aborted = plan.signal.aborted || attempt.signal?.aborted === true
        announce(context, plan, attempt, undefined, aborted && isGatewayError(error) ? error : undefined, aborted)
      }
      throw error
    }
    attempt.ended = performance.now()
    destination.state.lastFailure = error.code
    if (error.code === 'http_response_timeout' || error.code === 'connection_timeout') {
      destination.limiter?.observe(0, true)
    }
    if (FAILURES[error.code].ejects) circuit?.failed(Date.now())
    else circuit?.succeeded()
    if (events.wants.failure) {
      events.failure(error, { method: plan.method, ...plan.where(destination), attempt: attempt.number })
    }
  } finally {
    destination.state.inFlight--
  }
  if (events.wants.attempt) announce(context, plan, attempt, undefined, error, false)
  return { failure: error }
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
  const { path, target } = plan.where(attempt.destination)
  events.attempt({
    method: plan.method,
    path,
    target,
    attempt: attempt.number,
    status,
    error,
    aborted,
    phases: attempt,
  })
}
