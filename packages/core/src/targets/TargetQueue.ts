import type { ShedReason } from '../events/FailureContext.js'
import { queueDiscipline, standingSince } from '../policy/queueDiscipline.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'

/** One request waiting for a place. */
interface Waiter {
  /** When it joined the line (`performance.now()`). */
  readonly since: number
  readonly grant: () => void
  readonly shed: () => void
}

/**
 * The gateway's own queue in front of one target's pool: at most `limit` requests are dispatched at
 * a time (the pool's connections, or the concurrency limit when lower), the rest wait, for a bounded
 * time and in a bounded line. undici cannot tell one request's wait for a pooled connection from its
 * connect; with this queue in front, the pool never queues, so `timeout.connect` measures the connect
 * alone, and a full pool is the gateway's limit (503), not the upstream's timeout (504).
 *
 * The line is served in order until it stands (see `queueDiscipline`): then newest first, and a
 * request that waited past the standing line's short wait is shed when the line next moves (a place
 * freed or a request joined), so answers that get through stay fast and the rest get their 503 early.
 */
export class TargetQueue {
  private active = 0
  private readonly waiting: Waiter[] = []
  /** Since when the line has been non-empty (`performance.now()`; see `standingSince`). */
  private busySince = 0
  /** When the line last ran dry. */
  private emptiedAt = Number.NEGATIVE_INFINITY

  constructor(
    private limit: number,
    private readonly maxWaiting: number,
  ) {}

  /** Change the limit (an adaptive one moves); places freed by a rise go to those in line. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit)
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++
      this.next(performance.now()).grant()
    }
  }

  /** The limit now. */
  get currentLimit(): number {
    return this.limit
  }

  /** Requests dispatched now. */
  get inFlight(): number {
    return this.active
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.waiting.length
  }

  /** Take a place now if one is free (the fast path: no promise, no timer). */
  tryTake(): boolean {
    if (this.active >= this.limit) return false
    this.active++
    return true
  }

  /**
   * Wait in line for a place, for at most `ms`: `undefined` once taken, else why not. Rejects with
   * the signal's reason when it aborts first (the client left).
   */
  wait(ms: number, signal: AbortSignalLike): Promise<ShedReason | undefined> {
    if (this.tryTake()) return Promise.resolve(undefined)
    if (ms <= 0) return Promise.resolve('queue_timeout')
    const now = performance.now()
    if (this.waiting.length === 0) this.busySince = standingSince(this.busySince, this.emptiedAt, now)
    else this.shedStale(now)
    if (this.waiting.length >= this.maxWaiting) return Promise.resolve('queue_full')
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const leave = () => {
        const at = this.waiting.indexOf(waiter)
        if (at !== -1) this.waiting.splice(at, 1)
        if (this.waiting.length === 0) this.emptiedAt = performance.now()
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        leave()
        reject(signal.reason)
      }
      const waiter: Waiter = {
        since: now,
        grant: () => {
          leave()
          resolve(undefined)
        },
        shed: () => {
          clearTimeout(timer)
          signal.removeEventListener('abort', onAbort)
          resolve('queue_standing')
        },
      }
      const timer = setTimeout(() => {
        leave()
        resolve('queue_timeout')
      }, ms)
      signal.addEventListener('abort', onAbort)
      this.waiting.push(waiter)
    })
  }

  /**
   * A dispatched request ended: its place goes to the next in line, or is free. Above the limit
   * (an adaptive one fell) the place is given up, so the requests in flight come down to it.
   */
  give(): void {
    if (this.waiting.length === 0 || this.active > this.limit) {
      this.active--
      return
    }
    const now = performance.now()
    this.shedStale(now)
    if (this.waiting.length === 0) this.active--
    else this.next(now).grant()
  }

  /** The waiter to serve next: the oldest, or the newest while the line stands. */
  private next(now: number): Waiter {
    const { waiting } = this
    const { newestFirst } = queueDiscipline(now - this.busySince, Number.POSITIVE_INFINITY)
    return (newestFirst ? waiting[waiting.length - 1] : waiting[0]) as Waiter
  }

  /** While the line stands, shed (oldest first) every waiter that waited longer than it may. */
  private shedStale(now: number): void {
    const { waiting } = this
    const { maxWaitMs } = queueDiscipline(now - this.busySince, Number.POSITIVE_INFINITY)
    let stale = 0
    while (stale < waiting.length && now - (waiting[stale] as Waiter).since > maxWaitMs) stale++
    if (stale === 0) return
    for (const waiter of waiting.splice(0, stale)) waiter.shed()
    if (waiting.length === 0) this.emptiedAt = now
  }
}
