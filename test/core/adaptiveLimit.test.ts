import { describe, expect, it } from 'vitest'
import { adaptiveLimit, initialLimit } from '~core/policy/adaptiveLimit.js'

const SETTINGS = { initial: 10, min: 2, max: 100 }

/** Feed `count` answers of `rttMs` each, with the target kept busy at its limit. */
function feed(start: ReturnType<typeof initialLimit>, count: number, rttMs: number) {
  let state = start
  for (let i = 0; i < count; i++)
    state = adaptiveLimit(state, { rttMs, inFlight: state.limit, dropped: false }, SETTINGS)
  return state
}

describe('adaptiveLimit (gradient2)', () => {
  it('grows while latency holds at its long-term level', () => {
    const state = feed(initialLimit(SETTINGS), 50, 25)
    expect(state.limit).toBeGreaterThan(20)
  })

  it('shrinks when latency climbs (requests queue inside the upstream), and grows again once it recovers', () => {
    const steady = feed(initialLimit(SETTINGS), 30, 25)
    const overloaded = feed(steady, 60, 200)
    expect(overloaded.limit).toBeLessThan(steady.limit / 2)
    const recovered = feed(overloaded, 80, 25)
    expect(recovered.limit).toBeGreaterThan(overloaded.limit * 2)
  })

  it('stays within its floor and ceiling', () => {
    expect(feed(initialLimit(SETTINGS), 500, 25).limit).toBe(100)
    let crushed = initialLimit(SETTINGS)
    for (let i = 0; i < 100; i++) crushed = adaptiveLimit(crushed, { rttMs: 0, inFlight: 10, dropped: true }, SETTINGS)
    expect(crushed.limit).toBe(2)
  })

  it('a timeout cuts the limit by a tenth; samples from a mostly idle target leave it alone', () => {
    const state = initialLimit(SETTINGS)
    expect(adaptiveLimit(state, { rttMs: 0, inFlight: 10, dropped: true }, SETTINGS).limit).toBe(9)
    const idle = adaptiveLimit(state, { rttMs: 25, inFlight: 1, dropped: false }, SETTINGS)
    expect(idle.limit).toBe(10)
    expect(idle.longRtt).toBe(25)
  })

  it.each([
    // [rtt the long-term average knows, recent rtt, expected direction]
    [25, 25, 'up'],
    [25, 30, 'up'],
    [25, 100, 'down'],
  ])('long-term %i ms, recent %i ms: the limit goes %s', (long, recent, direction) => {
    const state = { limit: 20, longRtt: long, shortRtt: recent }
    const next = adaptiveLimit(state, { rttMs: recent, inFlight: 20, dropped: false }, SETTINGS)
    expect(next.limit > state.limit ? 'up' : 'down').toBe(direction)
  })
})
