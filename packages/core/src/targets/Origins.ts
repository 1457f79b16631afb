import type { ResolvedTarget } from '../options/resolveOptions.js'
import type { Destination } from './TargetSet.js'

/** Makes the destination of an origin the first time it is needed. */
export type DestinationFactory = (target: ResolvedTarget) => Destination

/**
 * The origins a target function names (proxy mode) or guard mode's calls go to, each with its own
 * destination made on demand (pool, passive health, queue and limiter, state), at most `max` of
 * them: an LRU. When a new origin would pass the bound, the least recently used origins that have
 * nothing under way are forgotten (`retire` closes a pool, which then has no requests to wait for).
 * An origin with a request routed to it, in its queue or in flight (its response body included) is
 * never forgotten, so the bound is soft for as long as more than `max` origins are all busy at once,
 * and holds again as they finish.
 *
 * Forgetting an origin forgets its passive health too: the LRU bounds memory, not ejections.
 */
export class Origins {
  /** By origin, least recently used first (a `Map` keeps insertion order; a hit moves its entry last). */
  private readonly known = new Map<string, Destination>()
  /** The origin used last: a hit on it needs no move (a router sends runs of requests to one origin). */
  private last: string | undefined

  constructor(
    private readonly max: number,
    private readonly make: DestinationFactory,
    private readonly retire: (destination: Destination) => void,
  ) {}

  /** The destination of `target`'s origin, made now if it is new, held until {@link release}. */
  acquire(target: ResolvedTarget): Destination {
    const origin = target.origin
    let destination = this.known.get(origin)
    if (destination === undefined) {
      destination = this.make(target)
      this.known.set(origin, destination)
      this.last = origin
      destination.state.routed++
      if (this.known.size > this.max) this.trim()
      return destination
    }
    if (origin !== this.last) {
      this.known.delete(origin)
      this.known.set(origin, destination)
      this.last = origin
    }
    destination.state.routed++
    return destination
  }

  /** A request routed by {@link acquire} is through its attempt loop (its exchange, if any, holds a queue place). */
  release(destination: Destination): void {
    destination.state.routed--
    if (this.known.size > this.max) this.trim()
  }

  /** How many origins are known now. */
  get size(): number {
    return this.known.size
  }

  /** The destinations known now, least recently used first. */
  destinations(): IterableIterator<Destination> {
    return this.known.values()
  }

  /** Forget the least recently used idle origins until within the bound (or none idle is left). */
  private trim(): void {
    for (const [origin, destination] of this.known) {
      if (this.known.size <= this.max) return
      if (busy(destination)) continue
      this.known.delete(origin)
      if (origin === this.last) this.last = undefined
      this.retire(destination)
    }
  }
}

/** Whether anything is under way to a destination: routed, queued, or holding a place (body streaming included). */
function busy({ state, queue }: Destination): boolean {
  return state.routed > 0 || state.inFlight > 0 || (queue !== undefined && (queue.inFlight > 0 || queue.queued > 0))
}
