/**
 * Envoy's retry budget for one gateway: retries in flight may not exceed a percentage of the active
 * requests (with a floor), so a failing upstream does not get its load multiplied.
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

  /** Take a place for one retry; `false` when the budget is spent. */
  tryAcquire(): boolean {
    const allowed = Math.max(this.minConcurrency, Math.floor((this.active * this.percent) / 100))
    if (this.retrying >= allowed) return false
    this.retrying++
    return true
  }

  /** The retry's attempt ended. */
  release(): void {
    this.retrying--
  }
}
