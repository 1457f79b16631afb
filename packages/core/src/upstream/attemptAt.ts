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
 */
export async function attemptAt<R>(
  context: GatewayContext,
  plan: ForwardPlan<R>,
  attempt: AttemptRecord,
): Promise<Settled<R>> {
  const { destination } = attempt
  const { events } = context
  const queue = destination.queue
  if (queue !== undefined) {
    // the gateway's own limit: waiting for a place is never the upstream's failure (no circuit, no ejection)
    const waitMs = Math.min(context.options.timeout.queue, plan.deadline - performance.now())
    const shed = queue.tryTake() ? undefined : await queue.wait(waitMs, plan.signal)
    if (shed !== undefined) {
      const error = new GatewayError('connection_limit_reached', { phase: 'connect', retryAfter: 1 })
      attempt.ended = performance.now()
      if (events.wants.failure) {
        events.failure(error, { method: plan.method, ...plan.where(destination), attempt: attempt.number, shed })
      }
      return { failure: error }
    }
    attempt.hold(queue)
  }
  const circuit = destination.circuit
  circuit?.claim(Date.now())
  const state = destination.state
  state.inFlight++
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
  let settled: Settled<R>
  try {
    const response = await plan.send(attempt)
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
    settled = { response }
  } catch (error) {
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
    state.lastFailure = error.code
    if (error.code === 'http_response_timeout' || error.code === 'connection_timeout') {
      destination.limiter?.observe(0, true)
    }
    if (FAILURES[error.code].ejects) circuit?.failed(Date.now())
    else circuit?.succeeded()
    if (events.wants.failure) {
      events.failure(error, { method: plan.method, ...plan.where(destination), attempt: attempt.number })
    }
    settled = { failure: error }
  } finally {
    state.inFlight--
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
