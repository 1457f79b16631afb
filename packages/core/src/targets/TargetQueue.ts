import type { AbortSignalLike } from '../seam/AbortSignalLike.js'

/** One request waiting for a place. */
interface Waiter {
  readonly grant: () => void
}

/**
 * The gateway's own queue in front of one target's pool: at most `limit` requests are dispatched at
 * a time (the pool's connections, or the concurrency limit when lower), the rest wait in order, for
 * a bounded time and in a bounded line. undici cannot tell one request's wait for a pooled
 * connection from its connect; with this queue in front, the pool never queues, so `timeout.connect`
 * measures the connect alone, and a full pool is the gateway's limit (503), not the upstream's
 * timeout (504).
 */
export class TargetQueue {
  private active = 0
  private readonly waiting: Waiter[] = []

  constructor(
    private limit: number,
    private readonly maxWaiting: number,
  ) {}

  /** Change the limit (an adaptive one moves); places freed by a rise go to those in line. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit)
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++
      ;(this.waiting[0] as Waiter).grant()
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
   * Wait in line for a place, for at most `ms`: `true` once taken, `false` when the wait ran out or
   * the line is full. Rejects with the signal's reason when it aborts first (the client left).
   */
  wait(ms: number, signal: AbortSignalLike): Promise<boolean> {
    if (this.tryTake()) return Promise.resolve(true)
    if (this.waiting.length >= this.maxWaiting || ms <= 0) return Promise.resolve(false)
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const leave = () => {
        const at = this.waiting.indexOf(waiter)
        if (at !== -1) this.waiting.splice(at, 1)
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      const onAbort = () => {
        leave()
        reject(signal.reason)
      }
      const waiter: Waiter = {
        grant: () => {
          leave()
          resolve(true)
        },
      }
      const timer = setTimeout(() => {
        leave()
        resolve(false)
      }, ms)
      signal.addEventListener('abort', onAbort)
      this.waiting.push(waiter)
    })
  }

  /** A dispatched request ended: its place goes to the first in line, or is free. */
  give(): void {
    const next = this.waiting[0]
    if (next === undefined) this.active--
    else next.grant()
  }
}
