import { describe, expect, it } from 'vitest'
import { HEDGE_DELAY_FLOOR_MS, HEDGE_MIN_SAMPLES, hedgeDelay } from '~core/policy/hedgeDelay.js'
import { RECENT_LATENCY_SAMPLES, RECOMPUTE_EVERY, RecentLatency } from '~core/targets/RecentLatency.js'

/** 1, 2, … n ms, shuffled: the order answers came in must not matter. */
function ramp(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7) % n) + 1)
}

describe('hedgeDelay (a percentile of recent latency)', () => {
  it.each([
    // [samples, percentile, delay]
    [ramp(100).map((ms) => ms + 100), 95, 195],
    [ramp(100).map((ms) => ms + 100), 50, 150],
    [ramp(100).map((ms) => ms + 100), 99, 199],
    [ramp(20).map((ms) => ms * 10), 95, 190],
    // a fast target: the floor, not its jitter
    [ramp(100).map((ms) => ms / 100), 95, HEDGE_DELAY_FLOOR_MS],
    // too few answers yet: no hedge
    [ramp(HEDGE_MIN_SAMPLES - 1).map((ms) => ms + 100), 95, undefined],
  ])('of %j at p%i: %j ms', (samples, percentile, delay) => {
    expect(hedgeDelay(samples, samples.length, percentile)).toBe(delay)
  })

  it('a target keeps its latest answers alone: an old slow spell is forgotten', () => {
    const latency = new RecentLatency(95)
    expect(latency.hedgeDelay).toBeUndefined()
    for (let i = 0; i < RECENT_LATENCY_SAMPLES; i++) latency.record(500)
    expect(latency.hedgeDelay).toBe(500)
    // worked out again every RECOMPUTE_EVERY answers: once the ring holds only the new ones, and one more round
    for (let i = 0; i < RECENT_LATENCY_SAMPLES + RECOMPUTE_EVERY; i++) latency.record(40)
    expect(latency.hedgeDelay).toBe(40)
  })
})
