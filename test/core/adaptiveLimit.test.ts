import { describe, expect, it } from 'vitest'
import {
  type AdaptiveLimitState,
  adaptiveLimit,
  initialLimit,
  REMEASURE_LIMIT,
  TOLERANCE,
  windowSize,
} from '~core/policy/adaptiveLimit.js'

const SETTINGS = { initial: 10, min: 2, max: 100 }

/** Feed `count` windows of least `rttMs` each, with the target kept busy at its limit. */
function feed(start: AdaptiveLimitState, count: number, rttMs: number) {
  let state = start
  for (let i = 0; i < count; i++)
    state = adaptiveLimit(state, { leastRtt: rttMs, maxInFlight: Math.floor(state.limit), dropped: false }, SETTINGS)
  return state
}

/**
 * A model upstream that serves `capacity` at a time, each in `serviceMs`, and queues the rest
 * (the overload bench's /work): with `limit` in flight, a window's least latency.
 */
function upstreamRtt(limit: number, capacity: number, serviceMs: number): number {
  return (serviceMs * Math.max(capacity, Math.floor(limit))) / capacity
}

describe('adaptiveLimit (gradient, once per window)', () => {
  it('grows while latency holds at its no-load level', () => {
    const state = feed(initialLimit(SETTINGS), 20, 25)
    expect(state.limit).toBeGreaterThan(20)
  })

  it('shrinks when latency climbs (requests queue inside the upstream), and grows again once it recovers', () => {
    const steady = feed(initialLimit(SETTINGS), 10, 25)
    const overloaded = feed(steady, 20, 200)
    expect(overloaded.limit).toBeLessThan(steady.limit / 2)
    const recovered = feed(overloaded, 40, 25)
    expect(recovered.limit).toBeGreaterThan(overloaded.limit * 2)
  })

  it.each([
    // [the upstream's concurrency, its service time]
    [8, 25],
    [32, 10],
    [4, 100],
  ])(
    'settles near TOLERANCE × capacity + √limit against an upstream serving %i at a time, %i ms each',
    (capacity, serviceMs) => {
      let state = feed(initialLimit(SETTINGS), 1, serviceMs)
      const seen: number[] = []
      for (let i = 0; i < 300; i++) {
        const leastRtt = upstreamRtt(state.limit, capacity, serviceMs)
        state = adaptiveLimit(state, { leastRtt, maxInFlight: Math.floor(state.limit), dropped: false }, SETTINGS)
        if (i >= 200) seen.push(state.limit)
      }
      const settled = TOLERANCE * capacity + Math.sqrt(TOLERANCE * capacity)
      // within a few requests of where it should settle, and steady there (no swing between extremes)
      expect(Math.min(...seen)).toBeGreaterThan(capacity)
      expect(Math.max(...seen)).toBeLessThan(settled + 3)
      expect(Math.max(...seen) - Math.min(...seen)).toBeLessThan(3)
    },
  )

  it('stays within its floor and ceiling', () => {
    expect(feed(initialLimit(SETTINGS), 100, 25).limit).toBe(100)
    let crushed = initialLimit(SETTINGS)
    for (let i = 0; i < 100; i++)
      crushed = adaptiveLimit(crushed, { leastRtt: 0, maxInFlight: 10, dropped: true }, SETTINGS)
    expect(crushed.limit).toBe(2)
  })

  it('a timeout cuts the limit by a tenth; a window from a mostly idle target leaves it alone', () => {
    const state = initialLimit(SETTINGS)
    expect(adaptiveLimit(state, { leastRtt: 0, maxInFlight: 10, dropped: true }, SETTINGS).limit).toBe(9)
    const idle = adaptiveLimit(state, { leastRtt: 25, maxInFlight: 1, dropped: false }, SETTINGS)
    expect(idle.limit).toBe(10)
    expect(idle.noLoadRtt).toBe(25)
  })

  it('a target that became slower for good is re-measured at the floor, and its limit grows again', () => {
    // no-load 25 ms, then every answer takes 200 ms whatever the load
    let slower = feed(initialLimit(SETTINGS), 10, 25)
    let windows = 0
    while (slower.noLoadRtt !== 200 && windows++ < 100) {
      const before = slower.limit
      slower = feed(slower, 1, 200)
      // taken afresh only from a window run at the lowest limit latency leads to
      if (slower.noLoadRtt === 200) expect(before).toBeLessThanOrEqual(REMEASURE_LIMIT)
    }
    expect(slower.noLoadRtt).toBe(200)
    expect(feed(slower, 20, 200).limit).toBeGreaterThan(10)
  })

  it('the no-load latency rises only slowly under lasting overload', () => {
    const steady = feed(initialLimit(SETTINGS), 10, 25)
    // a thousand windows at twice the no-load latency: a tenth of the way at most
    const later = feed(steady, 1000, 50)
    expect(later.noLoadRtt).toBeLessThan(25 + 2.5 + 0.01)
  })

  it.each([
    // [no-load rtt, window least, expected direction]
    [25, 25, 'up'],
    [25, 30, 'up'],
    [25, 100, 'down'],
  ])('no-load %i ms, window least %i ms: the limit goes %s', (noLoad, mean, direction) => {
    const state = { limit: 20, noLoadRtt: noLoad }
    const next = adaptiveLimit(state, { leastRtt: mean, maxInFlight: 20, dropped: false }, SETTINGS)
    expect(next.limit > state.limit ? 'up' : 'down').toBe(direction)
  })

  it.each([
    [2, 4],
    [10, 10],
    [17.8, 17],
  ])('a window at limit %d gathers %i answers (one round trip’s worth, at least 4)', (limit, size) => {
    expect(windowSize({ limit, noLoadRtt: 25 })).toBe(size)
  })
})
