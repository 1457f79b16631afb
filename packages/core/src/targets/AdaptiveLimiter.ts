import {
  type AdaptiveLimitSettings,
  type AdaptiveLimitState,
  adaptiveLimit,
  initialLimit,
} from '../policy/adaptiveLimit.js'
import type { TargetQueue } from './TargetQueue.js'

/** `concurrency: 'adaptive'` for one target: the pure controller's state, applied to its queue. */
export class AdaptiveLimiter {
  private state: AdaptiveLimitState

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
    this.state = adaptiveLimit(this.state, { rttMs, inFlight: this.queue.inFlight, dropped }, this.settings)
    this.queue.setLimit(Math.floor(this.state.limit))
  }
}
