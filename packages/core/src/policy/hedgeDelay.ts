/**
 * The delay of a hedge given as a percentile of the target's recent latency (`hedge.delay: 'p95'`):
 * the nearest-rank percentile of the latest answers' times to response headers, never under
 * `HEDGE_DELAY_FLOOR_MS`, and `undefined` (no hedge) before the target has answered
 * `HEDGE_MIN_SAMPLES` times.
 *
 * Before enough samples there is no hedge rather than a guessed delay: a cold target is at its
 * slowest (connections still opening), and hedging it on a guess would double its load exactly then;
 * twenty answers are enough for a p95 to mean one answer in twenty. The floor keeps a very fast
 * target from being hedged on the gateway's own jitter (a garbage collection, a busy event loop).
 */
/** Answers a target needs before a percentile delay hedges it. */
export const HEDGE_MIN_SAMPLES = 20
/** The shortest percentile delay, in ms. */
export const HEDGE_DELAY_FLOOR_MS = 10

/**
 * The hedge delay for `percentile` (50–99) of the first `count` of `samples` (ms each, in any
 * order); `undefined` while there are too few. Sorts a copy: the caller calls it now and then, not
 * per request.
 */
export function hedgeDelay(samples: ArrayLike<number>, count: number, percentile: number): number | undefined {
  if (count < HEDGE_MIN_SAMPLES) return undefined
  const sorted = Array.prototype.slice.call(samples, 0, count).sort((a: number, b: number) => a - b) as number[]
  const rank = Math.min(count, Math.ceil((percentile / 100) * count))
  return Math.max(HEDGE_DELAY_FLOOR_MS, sorted[rank - 1] as number)
}
