import { hedgeDelay } from '../policy/hedgeDelay.js'

/** How many of a target's latest answers the estimate spans. */
export const RECENT_LATENCY_SAMPLES = 128
/** The percentile is worked out again after this many new answers (and on the first ones). */
export const RECOMPUTE_EVERY = 16

/**
 * A target's recent latency (dispatch to response headers) for `hedge.delay: 'p95'`: a ring of its
 * latest {@link RECENT_LATENCY_SAMPLES} answers, bounded in memory whatever the traffic, with the
 * hedge delay worked out again every {@link RECOMPUTE_EVERY} answers rather than per request (a
 * sort of 128 numbers is a few µs; read per request it is a field).
 */
export class RecentLatency {
  private readonly samples = new Float64Array(RECENT_LATENCY_SAMPLES)
  private count = 0
  private next = 0
  private sinceRecompute = 0
  private delay: number | undefined = undefined

  constructor(private readonly percentile: number) {}

  /** One answer took `ms` to its response headers. */
  record(ms: number): void {
    this.samples[this.next] = ms
    this.next = (this.next + 1) % RECENT_LATENCY_SAMPLES
    if (this.count < RECENT_LATENCY_SAMPLES) this.count++
    if (++this.sinceRecompute >= RECOMPUTE_EVERY || this.delay === undefined) {
      this.sinceRecompute = 0
      this.delay = hedgeDelay(this.samples, this.count, this.percentile)
    }
  }

  /** How long to wait before hedging now, in ms; `undefined`: not yet (too few answers). */
  get hedgeDelay(): number | undefined {
    return this.delay
  }
}
