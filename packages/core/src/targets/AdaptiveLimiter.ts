import {
  type AdaptiveLimitSettings,
  type AdaptiveLimitState,
  adaptiveLimit,
  initialLimit,
  windowSize,
} from '../policy/adaptiveLimit.js'
import type { TargetQueue } from './TargetQueue.js'

/**
 * `concurrency: 'adaptive'` for one target: gathers answers into windows and applies the pure
 * controller's step to its queue once per window.
 */
export class AdaptiveLimiter {
  private state: AdaptiveLimitState
  private count = 0
  private least = Number.POSITIVE_INFINITY
  private maxInFlight = 0

  constructor(
    private readonly queue: TargetQueue,
    private readonly settings: AdaptiveLimitSettings,
  ) {
    this.state = initialLimit(settings)
    queue.setLimit(Math.floor(this.state.limit))
  }

  /** The limit now. */
  get limit(): number {
    return Math.floor(this.state.limit)
  }

  /** One answer took `rttMs` from dispatch to its headers (`dropped`: it timed out instead). */
  observe(rttMs: number, dropped: boolean): void {
    if (dropped) {
      this.step({ leastRtt: 0, maxInFlight: this.maxInFlight, dropped: true })
      return
    }
    this.count++
    if (rttMs < this.least) this.least = rttMs
    // counted with this answer still in flight: the load it was answered under
    if (this.queue.inFlight > this.maxInFlight) this.maxInFlight = this.queue.inFlight
    if (this.count >= windowSize(this.state)) {
      this.step({ leastRtt: this.least, maxInFlight: this.maxInFlight, dropped: false })
    }
  }

  private step(window: Parameters<typeof adaptiveLimit>[1]): void {
    this.state = adaptiveLimit(this.state, window, this.settings)
    this.count = 0
    this.least = Number.POSITIVE_INFINITY
    this.maxInFlight = 0
    this.queue.setLimit(Math.floor(this.state.limit))
  }
}
