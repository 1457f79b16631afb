import type { FailureCode } from '../errors/failures.js'

/** What the gateway knows of one target right now, for `health()` and the active health checks. */
export class TargetState {
  /** Attempts in flight to it. */
  inFlight = 0
  /** The kind of its latest failure. */
  lastFailure: FailureCode | undefined = undefined
  /** Its latest health check failed: out of the rotation until one passes. */
  failingProbe = false
  /** Requests routed to it (a target function's origin) whose attempt loop has not ended: it must not be forgotten yet. */
  routed = 0
}
