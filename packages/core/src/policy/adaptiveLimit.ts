import type { AdaptiveLimitSettings } from '../options/resolveOptions.js'

export type { AdaptiveLimitSettings }

/**
 * The adaptive concurrency limit of one target, as Netflix's concurrency-limits `Gradient2Limit`
 * finds it: the limit follows the ratio of the target's long-term latency to its recent latency.
 * While recent latency holds at the long-term level the ratio is 1 and the limit grows by a queue
 * allowance (√limit); when requests start queueing inside the upstream, recent latency climbs, the
 * ratio falls (never below ½ per step) and the limit shrinks until latency settles again. A failure
 * that says "too slow" (a timeout) cuts the limit by a tenth. As in gradient2, a latency that stays
 * high becomes the new normal over about `LONG_WINDOW` answers; timeouts keep pushing down.
 *
 * Chosen over Envoy's gradient controller because Envoy's measures the no-load latency by pinning
 * the concurrency to a minimum for a while every few seconds, which sheds real traffic on a schedule;
 * gradient2's long-term average needs no such pause, and its two averages are cheap to keep per
 * target. Pure: the caller keeps the state and feeds it each sample.
 */
export interface AdaptiveLimitState {
  /** The limit now (fractional: requests may go while `inFlight < floor(limit)`). */
  readonly limit: number
  /** Exponential average of latency over ~`LONG_WINDOW` samples (ms); `0` before the first sample. */
  readonly longRtt: number
  /** Exponential average over the last few samples (ms). */
  readonly shortRtt: number
}

/** Samples the long-term average spans (gradient2's default long window). */
export const LONG_WINDOW = 600
/** Samples the short-term average spans. */
export const SHORT_WINDOW = 10
/** How much of a new limit is taken each step (gradient2's smoothing). */
export const SMOOTHING = 0.2
/** Latency within this much of the long-term level counts as "holding" (gradient2's tolerance). */
export const TOLERANCE = 1.5

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
  const longRtt = state.longRtt === 0 ? rtt : state.longRtt + (rtt - state.longRtt) / LONG_WINDOW
  const shortRtt = state.shortRtt === 0 ? rtt : state.shortRtt + (rtt - state.shortRtt) / SHORT_WINDOW
  // an app-limited target (far below its limit) says nothing about the limit: only keep the averages
  if (sample.inFlight < state.limit / 2) return { limit: state.limit, longRtt, shortRtt }
  const gradient = Math.max(0.5, Math.min(1, (TOLERANCE * longRtt) / shortRtt))
  const next = gradient * state.limit + Math.sqrt(state.limit)
  const limit = clamp(state.limit * (1 - SMOOTHING) + next * SMOOTHING, settings)
  // once latency recovers, the long-term average follows the short one down (gradient2's reset)
  return { limit, longRtt: longRtt > shortRtt * 2 ? shortRtt : longRtt, shortRtt }
}

function clamp(limit: number, { min, max }: AdaptiveLimitSettings): number {
  return Math.min(max, Math.max(min, limit))
}
