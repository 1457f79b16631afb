import { isGatewayError } from '../errors/GatewayError.js'
import type { RetryTicket } from '../policy/RetryBudget.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import { LightSignal } from '../seam/LightSignal.js'
import type { Destination } from '../targets/TargetSet.js'
import type { AttemptRecord } from './AttemptRecord.js'
import { attemptAt, type Settled } from './attemptAt.js'
import type { ForwardPlan } from './ForwardPlan.js'
import type { GatewayContext } from './GatewayContext.js'

/** How an attempt ended, whichever way. */
type Ended<R> =
  | { readonly record: AttemptRecord; readonly settled: Settled<R>; readonly error?: undefined }
  | { readonly record: AttemptRecord; readonly settled?: undefined; readonly error: unknown }

/** A place in the retry budget for the hedge, or nothing to release (no budget configured). */
const NO_BUDGET: RetryTicket = { release() {} }

/**
 * One attempt, hedged: when it has no response headers after `delayMs`, a second attempt goes out
 * (to another target when there are several), and whichever answers first is used; the other is
 * cancelled at once (a response it already had is discarded). The hedge holds a place in the retry
 * budget until it ends, and is sent only while the request body can be replayed. When both fail,
 * the later failure stands (the loop may retry after it as after any failure).
 *
 * Resolves with the attempt that settled the request (for its destination and number) and the
 * number of attempts used.
 */
export async function hedgedAttempt<R>(
  context: GatewayContext,
  plan: ForwardPlan<R>,
  first: AttemptRecord,
  delayMs: number,
  next: (destination: Destination, number: number) => AttemptRecord,
): Promise<{ readonly record: AttemptRecord; readonly settled: Settled<R>; readonly used: number }> {
  const stopFirst = attemptSignal(first, plan.signal)
  const one = ended(attemptAt(context, plan, first), first)
  let timer: NodeJS.Timeout | undefined
  const due = new Promise<'hedge'>((resolve) => {
    timer = setTimeout(resolve, delayMs, 'hedge')
  })
  const early = await Promise.race([one, due])
  clearTimeout(timer)
  if (early !== 'hedge') return done(early, 1, stopFirst)
  const budget = context.budget
  const ticket = !plan.replayable() ? undefined : budget === undefined ? NO_BUDGET : budget.acquire()
  const destination = ticket === undefined ? undefined : plan.pick(first.destination)
  if (ticket === undefined || destination === undefined || isGatewayError(destination)) {
    ticket?.release()
    return done(await one, 1, stopFirst)
  }
  const second = next(destination, first.number + 1)
  const stopSecond = attemptSignal(second, plan.signal)
  const two = ended(attemptAt(context, plan, second), second)
  void two.finally(() => ticket.release())
  const winner = await firstAnswer(one, two)
  // the other attempt is of no use any more: cancel it, or let go of what it already got
  const loser = winner.record === first ? two : one
  ;(winner.record === first ? stopSecond : stopFirst).abort(new DOMException('A hedged attempt won', 'AbortError'))
  void loser.then((other) => {
    if (other.settled?.response !== undefined) void plan.shape.discard(other.settled.response)
  })
  return done(winner, 2, winner.record === first ? stopFirst : stopSecond)
}

/** The first of two attempts to answer (response headers); when neither does, the later to end. */
function firstAnswer<R>(one: Promise<Ended<R>>, two: Promise<Ended<R>>): Promise<Ended<R>> {
  return new Promise((resolve) => {
    let pending = 2
    for (const attempt of [one, two]) {
      void attempt.then((end) => {
        pending--
        if (end.settled?.response !== undefined || pending === 0) resolve(end)
      })
    }
  })
}

function ended<R>(attempt: Promise<Settled<R>>, record: AttemptRecord): Promise<Ended<R>> {
  return attempt.then(
    (settled) => ({ record, settled }),
    (error: unknown) => ({ record, error }),
  )
}

function done<R>(end: Ended<R>, used: number, signal: LightSignal & { unlink(): void }) {
  signal.unlink()
  if (end.settled === undefined) throw end.error
  return { record: end.record, settled: end.settled, used }
}

/** A signal of the attempt's own, aborted with the request's or when the attempt is cancelled. */
function attemptSignal(record: AttemptRecord, request: AbortSignalLike): LightSignal & { unlink(): void } {
  const signal = new LightSignal() as LightSignal & { unlink(): void }
  const onAbort = () => signal.abort(request.reason)
  if (request.aborted) onAbort()
  else request.addEventListener('abort', onAbort)
  signal.unlink = () => request.removeEventListener('abort', onAbort)
  record.signal = signal
  return signal
}
