import { proxyStatusType } from '../errors/failures.js'
import { isEjected } from './isEjected.js'
import type { Destination } from './TargetSet.js'

/** One target in a {@link HealthReport}. */
export interface TargetHealth {
  /** `target[0]`, … in the order configured; the origin when the caller asked for addresses. */
  readonly target: string
  /** `ejected`: out of the rotation (passive health or a failing health check); `half-open`: one trial next. */
  readonly state: 'healthy' | 'ejected' | 'half-open'
  /** When an ejection by passive health ends (ISO 8601); absent while a health check keeps it out. */
  readonly ejectedUntil?: string
  /** The latest health check's verdict, when health checks run. */
  readonly probe?: 'passing' | 'failing'
  /** The kind (RFC 9209 type) of its latest failure. */
  readonly lastFailure?: string
  /** Attempts in flight to it now. */
  readonly inFlight: number
  /** Requests waiting in the gateway's queue for it now. */
  readonly queued: number
  /** How many requests may be under way to it at a time (with `concurrency: 'adaptive'`, the limit found now). */
  readonly limit?: number
}

/** What `health()` reports, for readiness endpoints. */
export interface HealthReport {
  /** `pass` while some target can take requests (guard mode: always). */
  readonly status: 'pass' | 'fail'
  readonly targets: readonly TargetHealth[]
}

/** Each target's state, named by position unless `addresses` is asked for. */
export function healthReport(
  destinations: readonly Destination[],
  probed: boolean,
  addresses: boolean,
  now: number = Date.now(),
): HealthReport {
  const targets = destinations.map((destination, i): TargetHealth => {
    const { circuit, state } = destination
    const passive = circuit?.describe(now) ?? { state: 'healthy' as const, until: undefined }
    const ejected = isEjected(destination, now)
    return {
      target: addresses ? destination.target.origin : `target[${i}]`,
      state: ejected ? 'ejected' : passive.state,
      ...(passive.until === undefined || state.failingProbe
        ? {}
        : { ejectedUntil: new Date(passive.until).toISOString() }),
      ...(probed ? { probe: state.failingProbe ? 'failing' : 'passing' } : {}),
      ...(state.lastFailure === undefined ? {} : { lastFailure: proxyStatusType(state.lastFailure) }),
      inFlight: state.inFlight,
      queued: destination.queue?.queued ?? 0,
      ...(destination.queue === undefined ? {} : { limit: destination.queue.currentLimit }),
    }
  })
  const status = destinations.length === 0 || targets.some((t) => t.state !== 'ejected') ? 'pass' : 'fail'
  return { status, targets }
}
