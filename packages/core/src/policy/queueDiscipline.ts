/**
 * How the gateway's line in front of one target is served right now: in order, or, while the line
 * has been standing (never empty) for a whole interval, newest first with the oldest shed at once.
 *
 * A first-in-first-out line with a timeout serves, under lasting overload, only requests that waited
 * almost the whole timeout: the line stays as long as the timeout allows, so every answer that gets
 * through is late (measured at twice an upstream's capacity: 2xx p99 416–508 ms with the 250 ms
 * default, against a 25 ms service time). Two known remedies, used together:
 * - Adaptive LIFO (Facebook's, "Fail at Scale", 2015): while the line stands, serve the newest first,
 *   so the requests that are served waited little, and the old ones wait out their timeout instead.
 * - Controlled delay for request queues (CoDel, adapted there): a line that has not emptied for an
 *   interval is a standing queue, not a burst; its requests that waited longer than a small target
 *   are shed at once (503 with `Retry-After`) rather than at the end of `timeout.queue`.
 * "Standing" is "not empty for an interval" rather than CoDel's "least wait above the target":
 * served newest first, the least wait is always small and the line would look drained every other
 * interval. A line that was not standing and empties is a burst worked off: it is served in order
 * with the whole `timeout.queue`, so under no overload nothing changes. A standing line that runs dry
 * for a moment (an arrival came a little late) still stands when it fills again within the interval
 * (see `standingSince`): else every such moment would give it an interval of waits in order, which
 * under lasting overload are the slowest answers.
 */
export interface QueueDiscipline {
  /** Serve the newest waiting request first (the line stands); else the oldest. */
  readonly newestFirst: boolean
  /** The longest a request may wait now, in ms: shorter while the line stands. */
  readonly maxWaitMs: number
}

/** How long the line must have stood before it is served newest first (CoDel's interval). */
export const STANDING_INTERVAL_MS = 100
/**
 * The longest wait in a standing line, in ms: about one service time of a typical API. Served newest
 * first, the requests that get through wait little whatever this is; it sets how soon the others
 * hear 503, and how rarely the line runs dry between arrivals (measured at twice an upstream's
 * capacity on a busy 2-core machine, 10 ms shed more below capacity, 10 → 3 of 2000 at 0.78×, and
 * gave no better p99 than 25 ms).
 */
export const STANDING_MAX_WAIT_MS = 25

const IN_ORDER = { newestFirst: false } as const

/**
 * The discipline for a line that has been non-empty for `standingMs` (0: empty now), whose requests
 * may otherwise wait `timeoutMs` (`timeout.queue`).
 */
export function queueDiscipline(standingMs: number, timeoutMs: number): QueueDiscipline {
  if (standingMs < STANDING_INTERVAL_MS) return { ...IN_ORDER, maxWaitMs: timeoutMs }
  return { newestFirst: true, maxWaitMs: Math.min(timeoutMs, STANDING_MAX_WAIT_MS) }
}

/**
 * When the line counts as non-empty since, as a request joins it empty: now, unless the line was
 * standing when it last ran dry (`emptiedAt − busySince` a whole interval) and that was less than an
 * interval ago — then it has been standing all along.
 */
export function standingSince(busySince: number, emptiedAt: number, now: number): number {
  const stood = emptiedAt - busySince >= STANDING_INTERVAL_MS
  return stood && now - emptiedAt < STANDING_INTERVAL_MS ? busySince : now
}
