/**
 * One timer for every phase of an exchange. Setting when the current phase must end re-arms it only
 * when the new due time is earlier than when it fires; a timer that fires early (a later phase moved
 * the due time on) re-arms itself. So a quick exchange costs one `setTimeout` and one
 * `clearTimeout`, however many phases it goes through.
 *
 * The gateway runs its own timer because undici's connect, headers and body timers run at about one
 * second of resolution; this one keeps a 300 ms limit at about 300 ms.
 */
export class PhaseTimer {
  /** `performance.now()` by which the current phase must end (`Infinity`: no limit now). */
  dueAt = Number.POSITIVE_INFINITY
  /** When the armed timer fires (`Infinity`: none armed). */
  private firesAt = Number.POSITIVE_INFINITY
  private timer: NodeJS.Timeout | undefined

  /** @param onDue called once the due time has passed */
  constructor(private readonly onDue: () => void) {}

  /** The current phase must end by `dueAt` (`Infinity`: no limit). */
  setDue(dueAt: number): void {
    this.dueAt = dueAt
    if (dueAt >= this.firesAt) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(dueAt - performance.now())))
    this.firesAt = dueAt
  }

  /** No limit until the next `setDue`; the armed timer is left to fire and re-arm (cheaper than clearing it). */
  suspend(): void {
    this.dueAt = Number.POSITIVE_INFINITY
  }

  /** Stop for good. */
  clear(): void {
    this.dueAt = Number.POSITIVE_INFINITY
    this.firesAt = Number.POSITIVE_INFINITY
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.firesAt = Number.POSITIVE_INFINITY
    if (this.dueAt === Number.POSITIVE_INFINITY) return
    if (this.dueAt - performance.now() >= 1) this.setDue(this.dueAt)
    else this.onDue()
  }
}
