import type { AdaptiveLimitSettings } from '../options/resolveOptions.js'

export type { AdaptiveLimitSettings }

/**
 * The adaptive concurrency limit of one target, in the family of Netflix's concurrency-limits
 * (gradient2's smoothing and queue allowance) and Envoy's gradient controller (latency against the
 * target's no-load latency): the limit follows the ratio of the no-load latency (the least seen,
 * rising only slowly) to the recent latency. While recent latency stays within `TOLERANCE` of no
 * load the ratio is 1 and the limit grows by √limit; when requests start queueing inside the
 * upstream, recent latency climbs, the ratio falls (never below ½ per step) and the limit shrinks
 * until latency comes back. A failure that says "too slow" (a timeout) cuts the limit by a tenth.
 *
 * The no-load latency is a minimum, not gradient2's long-term average: under lasting overload an
 * average climbs with the queue inside the upstream and the limit never comes down (measured: the
 * limit stayed at the pool size, 128, with an upstream that takes 8 at a time). The minimum rises by
 * a ten-thousandth of the difference per answer (a faster drift climbs with the queue too), so a
 * target that really became slower is followed over some ten thousand answers.
 *
 * Chosen over Envoy's gradient controller because Envoy's measures the no-load latency by pinning
 * the concurrency to a minimum for a while every few seconds, which sheds real traffic on a schedule;
 * gradient2's long-term average needs no such pause, and its two averages are cheap to keep per
 * target. Pure: the caller keeps the state and feeds it each sample.
 */
export interface AdaptiveLimitState {
  /** The limit now (fractional: requests may go while `inFlight < floor(limit)`). */
  readonly limit: number
  /** The no-load latency: the least seen, rising slowly (ms); `0` before the first sample. */
  readonly longRtt: number
  /** Exponential average over the last few samples (ms). */
  readonly shortRtt: number
}

/** How slowly the no-load latency rises towards a higher sample (one step in this many). */
export const LONG_WINDOW = 10_000
/** Samples the short-term average spans. */
export const SHORT_WINDOW = 10
/** How much of a new limit is taken each step (gradient2's smoothing). */
export const SMOOTHING = 0.2
/** Recent latency within this much of no load counts as "holding" (Envoy's default buffer is 1.1–2). */
export const TOLERANCE = 2

/** The first state of a target's limit. */
export function initialLimit(settings: AdaptiveLimitSettings): AdaptiveLimitState {
  return { limit: settings.initial, longRtt: 0, shortRtt: 0 }
}

/**
 * The next state after one answer that took `rttMs` (dispatch to response headers), while
 * `inFlight` requests were under way; `dropped` for a timeout.
 */
export function adaptiveLimit(
  state: AdaptiveLimitState,
  sample: { readonly rttMs: number; readonly inFlight: number; readonly dropped: boolean },
  settings: AdaptiveLimitSettings,
): AdaptiveLimitState {
  if (sample.dropped) {
    return { ...state, limit: clamp(state.limit * 0.9, settings) }
  }
  const rtt = Math.max(sample.rttMs, 0.001)
  const longRtt = state.longRtt === 0 || rtt < state.longRtt ? rtt : state.longRtt + (rtt - state.longRtt) / LONG_WINDOW
  const shortRtt = state.shortRtt === 0 ? rtt : state.shortRtt + (rtt - state.shortRtt) / SHORT_WINDOW
  // an app-limited target (far below its limit) says nothing about the limit: only keep the averages
  if (sample.inFlight < state.limit / 2) return { limit: state.limit, longRtt, shortRtt }
  const gradient = Math.max(0.5, Math.min(1, (TOLERANCE * longRtt) / shortRtt))
  const next = gradient * state.limit + Math.sqrt(state.limit)
  const limit = clamp(state.limit * (1 - SMOOTHING) + next * SMOOTHING, settings)
  return { limit, longRtt, shortRtt }
}

function clamp(limit: number, { min, max }: AdaptiveLimitSettings): number {
  return Math.min(max, Math.max(min, limit))
}
