/** A place in the retry budget, held by one retry's attempt until that attempt ends. */
export interface RetryTicket {
  /** The retry's attempt ended (idempotent). */
  release(): void
}

/**
 * Envoy's retry budget for one gateway: retries in flight may not exceed a percentage of the active
 * requests (with a floor), so a failing upstream does not get its load multiplied. Every request
 * through the attempt loop counts as active, whichever mode made it.
 */
export class RetryBudget {
  private active = 0
  private retrying = 0

  constructor(
    private readonly percent: number,
    private readonly minConcurrency: number,
  ) {}

  /** A request became active. */
  requestStarted(): void {
    this.active++
  }

  /** A request is no longer active. */
  requestEnded(): void {
    this.active--
  }

  /** Take a place for one retry: the ticket its attempt holds, or `undefined` when the budget is spent. */
  acquire(): RetryTicket | undefined {
    const allowed = Math.max(this.minConcurrency, Math.floor((this.active * this.percent) / 100))
    if (this.retrying >= allowed) return undefined
    this.retrying++
    let held = true
    return {
      release: () => {
        if (!held) return
        held = false
        this.retrying--
      },
    }
  }

  /** Retries in flight now. */
  get inFlight(): number {
    return this.retrying
  }
}
