import type { Dispatcher } from 'undici'
import type { ResolvedTarget } from '../options/resolveOptions.js'
import type { AdaptiveLimiter } from './AdaptiveLimiter.js'
import type { Circuit } from './Circuit.js'
import { isEjected } from './isEjected.js'
import type { RecentLatency } from './RecentLatency.js'
import type { TargetQueue } from './TargetQueue.js'
import type { TargetState } from './TargetState.js'

/** One place requests can go: a target, its connection pool, and its passive health. */
export interface Destination {
  readonly target: ResolvedTarget
  readonly dispatcher: Dispatcher
  /** `undefined` when passive health is off. */
  readonly circuit: Circuit | undefined
  /** In-flight attempts, latest failure, health check verdict. */
  readonly state: TargetState
  /** The gateway's queue in front of the pool (proxy mode); `undefined`: none. */
  readonly queue?: TargetQueue | undefined
  /** `concurrency: 'adaptive'`: moves the queue's limit with the target's latency. */
  readonly limiter?: AdaptiveLimiter | undefined
  /** `hedge.delay: 'p95'`: the target's recent latency; `undefined`: not asked for. */
  readonly latency?: RecentLatency | undefined
}

/**
 * The targets of a proxy, balanced round robin over the healthy ones. Round robin rather than
 * least-pending: a target that fails fast has few pending requests, and least-pending would send it
 * more of them; round robin spreads load evenly and predictably, and passive health takes a failing
 * target out of the rotation.
 */
export class TargetSet {
  private next = 0

  constructor(readonly destinations: readonly Destination[]) {}

  /** The next available destination, preferring one other than `avoid`; `undefined` when none is available. */
  pick(now: number, avoid?: Destination): Destination | undefined {
    const all = this.destinations
    let fallback: Destination | undefined
    for (let i = 0; i < all.length; i++) {
      const candidate = all[(this.next + i) % all.length] as Destination
      if (candidate.state.failingProbe) continue
      if (candidate.circuit !== undefined && !candidate.circuit.available(now)) continue
      if (candidate === avoid && all.length > 1) {
        fallback ??= candidate
        continue
      }
      this.next = (this.next + i + 1) % all.length
      return candidate
    }
    return fallback
  }

  /**
   * Whether one more target may be ejected for its answers: within `maxPercent` of all, and never the
   * last one taking requests.
   */
  mayEjectForAnswers(now: number, maxPercent: number): boolean {
    const all = this.destinations
    let out = 0
    for (const destination of all) if (isEjected(destination, now)) out++
    return out + 1 < all.length && ((out + 1) * 100) / all.length <= maxPercent
  }

  /** Milliseconds until some target may be tried again. */
  msUntilAvailable(now: number): number {
    let soonest = Number.POSITIVE_INFINITY
    for (const { circuit } of this.destinations) soonest = Math.min(soonest, circuit?.msUntilAvailable(now) ?? 0)
    return soonest
  }

  /** Close every pool. */
  async close(): Promise<void> {
    await Promise.all(this.destinations.map((destination) => destination.dispatcher.close()))
  }
}
