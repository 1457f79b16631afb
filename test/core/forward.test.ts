import { Agent } from 'undici'
import { afterAll, describe, expect, it } from 'vitest'
import { GatewayError, isGatewayError } from '~core/errors/GatewayError.js'
import { GatewayEvents } from '~core/events/GatewayEvents.js'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { RetryBudget } from '~core/policy/RetryBudget.js'
import { LightSignal } from '~core/seam/LightSignal.js'
import type { Destination } from '~core/targets/TargetSet.js'
import { TargetState } from '~core/targets/TargetState.js'
import { type ForwardPlan, forward, type ResponseShape } from '~core/upstream/forward.js'
import type { GatewayContext } from '~core/upstream/GatewayContext.js'

/** A response as these tests make it: only a status. */
interface Answer {
  readonly status: number
  discarded: boolean
}

const SHAPE: ResponseShape<Answer> = {
  status: (answer) => answer.status,
  retryAfter: () => undefined,
  started: () => {},
  discard: async (answer) => {
    answer.discarded = true
  },
}

const dispatcher = new Agent()
const destination = (origin: string): Destination => ({
  target: { origin, basePath: '', url: new URL(origin) },
  dispatcher,
  circuit: undefined,
  state: new TargetState(),
})
const HERE = destination('http://127.0.0.1:1')
afterAll(() => dispatcher.close())

function contextFor(options: Parameters<typeof resolveOptions>[0], budget?: RetryBudget) {
  const resolved = resolveOptions(options)
  const reported: Array<{ error: GatewayError; attempt: number }> = []
  const retried: number[] = []
  const attempts: Array<{ attempt: number; status: number | undefined; code: string | undefined }> = []
  const lifecycle = { closing: false }
  const events = new GatewayEvents()
  events.subscribe({
    failure: (error, failure) => reported.push({ error, attempt: failure.attempt }),
    retry: (retry) => retried.push(retry.attempt),
    attempt: (event) => attempts.push({ attempt: event.attempt, status: event.status, code: event.error?.code }),
  })
  const context: GatewayContext = { options: resolved, budget, events, lifecycle }
  return { context, reported, retried, attempts, lifecycle, events }
}

/** A plan whose attempts are the given outcomes in turn: a status answers, a code fails. */
function planOf(
  outcomes: Array<number | GatewayError | Error>,
  overrides: Partial<ForwardPlan<Answer>> = {},
  seen: { attempts: number[] } = { attempts: [] },
): ForwardPlan<Answer> {
  return {
    method: 'GET',
    idempotencyKey: false,
    deadline: Number.POSITIVE_INFINITY,
    signal: new LightSignal(),
    shape: SHAPE,
    pick: () => HERE,
    send: async ({ number: attempt }) => {
      seen.attempts.push(attempt)
      const outcome = outcomes[attempt - 1]
      if (outcome === undefined) throw new Error('no more outcomes')
      if (typeof outcome === 'number') return { status: outcome, discarded: false }
      throw outcome
    },
    replayable: () => true,
    where: (at) => ({ path: '/p', target: at?.target.origin ?? '' }),
    clientHeaders: undefined,
    ...overrides,
  }
}

describe('forward: the one attempt loop', () => {
  it('retries a reset, reports the failed attempt once with its number, and answers from the next', async () => {
    const { context, reported, retried, attempts } = contextFor({ retry: { maxDelay: 1 } })
    const result = await forward(context, planOf([new GatewayError('connection_terminated'), 200]))
    expect(result.attempt).toBe(2)
    expect(result.response.status).toBe(200)
    expect(reported.map(({ error, attempt }) => [error.code, attempt])).toEqual([['connection_terminated', 1]])
    expect(retried).toEqual([1])
    expect(attempts).toEqual([
      { attempt: 1, status: undefined, code: 'connection_terminated' },
      { attempt: 2, status: 200, code: undefined },
    ])
  })

  it("each retry's attempt holds a budget ticket until it ends; the request counts as active", async () => {
    // no floor: the retry is allowed only because the request itself is active (100 % of 1)
    const budget = new RetryBudget(100, 0)
    const { context } = contextFor({ retry: { maxDelay: 1 } }, budget)
    const inFlight: number[] = []
    const plan = planOf([new GatewayError('connection_refused'), 200])
    const send = plan.send
    const result = await forward(context, {
      ...plan,
      send: (attempt) => {
        inFlight.push(budget.inFlight)
        return send(attempt)
      },
    })
    expect(result.response.status).toBe(200)
    expect(inFlight).toEqual([0, 1])
    expect(budget.inFlight).toBe(0)
  })

  it('a spent budget ends the loop with the failure', async () => {
    const budget = new RetryBudget(0, 0)
    const { context } = contextFor({ retry: { maxDelay: 1 } }, budget)
    const seen = { attempts: [] as number[] }
    const failure = await forward(context, planOf([new GatewayError('connection_refused'), 200], {}, seen)).catch(
      (error: unknown) => error,
    )
    expect(isGatewayError(failure) && failure.code).toBe('connection_refused')
    expect(seen.attempts).toEqual([1])
  })

  it('a listed status is retried and its response discarded; an unlisted one is answered', async () => {
    const { context } = contextFor({ retry: { statusCodes: [503], maxDelay: 1 } })
    const first = { status: 503, discarded: false }
    const plan = planOf([503, 500])
    const result = await forward(context, {
      ...plan,
      send: async (attempt) => (attempt.number === 1 ? first : plan.send(attempt)),
    })
    expect(first.discarded).toBe(true)
    expect(result.response.status).toBe(500)
  })

  it('a retry wait ends when the signal aborts, with its reason, and gives its ticket back', async () => {
    const budget = new RetryBudget(100, 1)
    const { context, events } = contextFor({ retry: { statusCodes: [503], maxDelay: 60_000 } }, budget)
    const signal = new LightSignal()
    const reason = new DOMException('gone', 'AbortError')
    const seen = { attempts: [] as number[] }
    // the upstream asks for a minute's wait; the client leaves as it begins
    events.subscribe({ retry: () => queueMicrotask(() => signal.abort(reason)) })
    const plan = planOf([503], { signal, shape: { ...SHAPE, retryAfter: () => '60' } }, seen)
    const failure = await forward(context, plan).catch((error: unknown) => error)
    expect(failure).toBe(reason)
    expect(seen.attempts).toEqual([1])
    expect(budget.inFlight).toBe(0)
  })

  it('once the gateway is closing, the next attempt is not made: destination_unavailable', async () => {
    const { context, lifecycle, events } = contextFor({ retry: { maxDelay: 1 } })
    const seen = { attempts: [] as number[] }
    events.subscribe({
      retry: () => {
        lifecycle.closing = true
      },
    })
    const failure = await forward(context, planOf([new GatewayError('connection_refused'), 200], {}, seen)).catch(
      (error: unknown) => error,
    )
    expect(isGatewayError(failure) && failure.code).toBe('destination_unavailable')
    expect(seen.attempts).toEqual([1])
  })

  it('an error that is not an upstream failure (a bug) is thrown at once, never retried or reported', async () => {
    const { context, reported } = contextFor({ retry: { maxDelay: 1 } })
    const seen = { attempts: [] as number[] }
    const bug = new TypeError('bug')
    const failure = await forward(context, planOf([bug, 200], {}, seen)).catch((error: unknown) => error)
    expect(failure).toBe(bug)
    expect(seen.attempts).toEqual([1])
    expect(reported).toEqual([])
  })
})
