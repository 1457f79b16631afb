import type { AdaptiveLimitSettings } from '../options/resolveOptions.js'

export type { AdaptiveLimitSettings }

/**
 * The adaptive concurrency limit of one target, in the family of Netflix's concurrency-limits
 * (gradient2: tolerance, smoothing, a √limit queue allowance), Envoy's gradient controller (a
 * window's latency against the target's no-load latency, re-measured at a low limit) and TCP Vegas
 * (the least round trip of a window as the sign of a queue). Once per window of answers (about one round trip's worth: as many answers as the limit),
 * the limit becomes `gradient × limit + √limit`, taken with `SMOOTHING`, where the gradient is
 * `TOLERANCE × noLoad / windowLeast` kept within [½, 1]: while latency holds within the tolerance the
 * limit grows by √limit a window; once requests queue inside the upstream, latency climbs and the
 * limit falls until latency comes back. A timeout in the window cuts the limit by a tenth.
 *
 * Where it settles: an upstream that serves C at a time, each in `s` ms, answers in `s × limit / C`
 * once the limit is above C, so the limit settles where `TOLERANCE × C / limit × limit + √limit =
 * limit`, i.e. near `TOLERANCE × C + √limit`: with C = 8, about 13.6 (with the earlier TOLERANCE 2,
 * about 21; it was measured at 20–40, the rest an overshoot of updating on every answer with a
 * 10-answer average that lagged a whole round trip: the limit rose ~0.6 per answer, far faster than
 * latency could tell it to stop). Updating once per window lets each step see the latency its last
 * step caused, as Vegas does once per round trip.
 *
 * A window's least latency, not its mean: once requests queue inside the upstream every answer
 * waits, so even the least rises, while the gateway's own jitter (a busy event loop, a garbage
 * collection, other work on the machine) and an upstream whose answers naturally vary raise the
 * mean but rarely the least. Measured with the mean on a loaded 2-core machine, a 5 ms upstream's
 * limit fell to 6 with 32 clients waiting.
 *
 * The no-load latency is the least window latency seen, rising a ten-thousandth of the difference
 * per window (an average over all windows climbs with the queue inside the upstream under lasting
 * overload: measured, the limit stayed at the pool size), and taken afresh from a window run at the
 * floor: a target that really became slower drives the limit down to its floor (`REMEASURE_LIMIT`,
 * or `min` when higher), where its latency
 * is its no-load latency again (Envoy's periodic min-RTT measurement at a low limit, but only when
 * the latency asks for it, not on a schedule that sheds real traffic).
 *
 * Pure: the caller keeps the state and feeds it each window.
 */
export interface AdaptiveLimitState {
  /** The limit now (fractional: requests may go while `inFlight < floor(limit)`). */
  readonly limit: number
  /** The no-load latency: the least window latency seen, rising slowly (ms); `0` before the first window. */
  readonly noLoadRtt: number
}

/** One window of answers, as the limiter gathered it. */
export interface AdaptiveLimitWindow {
  /** The least time from dispatch to response headers among the window's answers (ms). */
  readonly leastRtt: number
  /** The most requests under way at once while the window's answers came. */
  readonly maxInFlight: number
  /** Whether one of them timed out (an answer that came too late is a drop, not a sample). */
  readonly dropped: boolean
}

/** How slowly the no-load latency rises towards a higher window latency (one step in this many windows). */
export const NO_LOAD_DRIFT = 10_000
/**
 * How much of a new limit is taken each window (gradient2's default). Not more: a pause of the
 * gateway's own (a busy machine) spoils every answer of a window or two, and with half taken a few
 * such windows drove the limit under the upstream's concurrency (a model of the bench's upstream
 * with a 20-100 ms pause in 1 window of 5: mean limit 14.6 against 15.1; in 2 of 5: 12.1 against
 * 14.1, with the limit below 8 at times).
 */
export const SMOOTHING = 0.2
/** Recent latency within this much of no load counts as "holding" (gradient2's default tolerance). */
export const TOLERANCE = 1.25
/**
 * The lowest limit latency alone drives it to: where `½ × limit + √limit = limit`. A window run at
 * or near it (or at the floor, when that is higher) measures the no-load latency afresh.
 */
export const REMEASURE_LIMIT = 4.5
/** The fewest answers a window has, however low the limit. */
export const MIN_WINDOW = 4

/** The first state of a target's limit. */
export function initialLimit(settings: AdaptiveLimitSettings): AdaptiveLimitState {
  return { limit: settings.initial, noLoadRtt: 0 }
}

/** How many answers the window now gathers before the next step: about one round trip's worth. */
export function windowSize(state: AdaptiveLimitState): number {
  return Math.max(MIN_WINDOW, Math.floor(state.limit))
}

/** The next state after one window of answers. */
export function adaptiveLimit(
  state: AdaptiveLimitState,
  window: AdaptiveLimitWindow,
  settings: AdaptiveLimitSettings,
): AdaptiveLimitState {
  if (window.dropped) return { ...state, limit: clamp(state.limit * 0.9, settings) }
  const rtt = Math.max(window.leastRtt, 0.001)
  const atFloor = state.limit <= Math.max(settings.min, REMEASURE_LIMIT)
  const noLoadRtt =
    state.noLoadRtt === 0 || rtt < state.noLoadRtt || atFloor
      ? rtt
      : state.noLoadRtt + (rtt - state.noLoadRtt) / NO_LOAD_DRIFT
  // an app-limited target (far below its limit) says nothing about the limit: only keep the no-load latency
  if (window.maxInFlight < state.limit / 2) return { limit: state.limit, noLoadRtt }
  const gradient = Math.max(0.5, Math.min(1, (TOLERANCE * noLoadRtt) / rtt))
  const next = gradient * state.limit + Math.sqrt(state.limit)
  return { limit: clamp(state.limit * (1 - SMOOTHING) + next * SMOOTHING, settings), noLoadRtt }
}

function clamp(limit: number, { min, max }: AdaptiveLimitSettings): number {
  return Math.min(max, Math.max(min, limit))
}
