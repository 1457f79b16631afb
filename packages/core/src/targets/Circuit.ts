import type { ResolvedCircuit } from '../options/resolveOptions.js'

/**
 * Passive health of one target: closed (in use); open after `failures` consecutive failures to
 * connect (ejected for a rest that starts at `halfOpenAfter` and doubles up to `maxHalfOpenAfter`);
 * half-open when the rest is over (one trial request: success closes, failure opens again).
 */
export class Circuit {
  private consecutive = 0
  private consecutive5xx = 0
  private rest: number
  private openUntil = 0
  private state: 'closed' | 'open' | 'half-open' = 'closed'
  private trialInFlight = false

  /**
   * @param onChange told when the target is ejected (with its rest in ms) and when it is restored
   */
  constructor(
    private readonly settings: ResolvedCircuit,
    private readonly onChange?: (state: 'ejected' | 'restored', restMs: number | undefined) => void,
  ) {
    this.rest = settings.halfOpenAfter
  }

  /** Whether a request may go to this target now. */
  available(now: number): boolean {
    if (this.state === 'closed') return true
    if (this.state === 'open') return now >= this.openUntil
    return !this.trialInFlight
  }

  /** A request is going to this target now (after `available`): an open circuit's rest is over, so this is the trial. */
  claim(now: number): void {
    if (this.state === 'open' && now >= this.openUntil) this.state = 'half-open'
    if (this.state === 'half-open') this.trialInFlight = true
  }

  /** The target answered, or failed after connecting: it is reachable. */
  succeeded(): void {
    if (this.state !== 'closed') this.onChange?.('restored', undefined)
    this.consecutive = 0
    this.state = 'closed'
    this.trialInFlight = false
    this.rest = this.settings.halfOpenAfter
  }

  /**
   * An answer with `status` (outlier detection, when `consecutive5xx` is set): enough 5xx in a row
   * eject the target, if `mayEject` allows one more ejection for answers.
   */
  answered(status: number, now: number, mayEject: () => boolean): void {
    const threshold = this.settings.consecutive5xx
    if (threshold === 0) return
    if (status < 500) {
      this.consecutive5xx = 0
      return
    }
    this.consecutive5xx++
    if (this.state === 'closed' && this.consecutive5xx >= threshold && mayEject()) {
      this.consecutive5xx = 0
      this.open(now)
    }
  }

  /** Whether the target is out of the rotation now. */
  ejected(now: number): boolean {
    return this.state === 'open' && now < this.openUntil
  }

  /** A failure to connect. */
  failed(now: number): void {
    this.consecutive++
    if (this.state === 'half-open') {
      this.trialInFlight = false
      this.rest = Math.min(this.rest * 2, this.settings.maxHalfOpenAfter)
      this.open(now)
    } else if (this.state === 'closed' && this.consecutive >= this.settings.failures) {
      this.open(now)
    }
  }

  /** The attempt ended without telling anything about the target (aborted by the client). */
  released(): void {
    this.trialInFlight = false
  }

  /** Its state for a health report: `ejected` with when its rest ends, `half-open`, or `healthy`. */
  describe(now: number): { state: 'healthy' | 'ejected' | 'half-open'; until: number | undefined } {
    if (this.state === 'closed') return { state: 'healthy', until: undefined }
    if (this.state === 'open' && now < this.openUntil) return { state: 'ejected', until: this.openUntil }
    return { state: 'half-open', until: undefined }
  }

  /** Milliseconds until this target may be tried again (0 when it may now). */
  msUntilAvailable(now: number): number {
    return this.state === 'open' ? Math.max(0, this.openUntil - now) : 0
  }

  private open(now: number): void {
    this.state = 'open'
    this.openUntil = now + this.rest
    this.onChange?.('ejected', this.rest)
  }
}
