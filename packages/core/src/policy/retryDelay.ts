import { FAILURES, type FailureCode } from '../errors/failures.js'
import { RETRY_BACKOFF_BASE_MS, RETRY_BACKOFF_CAP_MS } from '../options/defaults.js'
import type { ResolvedRetry } from '../options/resolveOptions.js'

/** What went wrong with an attempt: a failure kind, or a listed upstream status. */
export type AttemptOutcome =
  | { readonly code: FailureCode }
  | { readonly status: number; readonly retryAfter: string | undefined }

/** What the retry decision knows of the request. */
export interface RetryRequest {
  /** The request method. */
  readonly method: string
  /** Whether it carries an `Idempotency-Key` header. */
  readonly idempotencyKey: boolean
  /** Whether its body can be sent again (none, kept whole, or not read yet). */
  readonly replayable: boolean
  /** Milliseconds left until the deadline. */
  readonly remainingMs: number
}

/**
 * Decide whether to retry after an attempt, and after how long: the delay in ms, or `undefined`
 * for "don't". Pure: the jitter comes from `random`.
 *
 * - A failure where nothing reached the upstream (refused, connect timeout, DNS) is retried for any
 *   method; a reset or close before headers only for idempotent requests (a listed method or an
 *   `Idempotency-Key`); other failures only when opted in with `retry.on`, and only for idempotent
 *   requests. (RFC 9110 §9.2.2.)
 * - A listed upstream status is retried for idempotent requests; its `Retry-After` (seconds or
 *   HTTP-date) sets the delay, and a delay beyond `maxDelay` or the deadline means no retry.
 * - Otherwise the delay is exponential backoff with full jitter (base 25 ms, cap 250 ms).
 * - Never past `limit` retries, never with a body that cannot be replayed, never past the deadline.
 */
export function retryDelay(
  outcome: AttemptOutcome,
  attempt: number,
  request: RetryRequest,
  policy: ResolvedRetry,
  now: number = Date.now(),
  random: () => number = Math.random,
): number | undefined {
  if (attempt > policy.limit || !request.replayable) return undefined
  const idempotent = request.idempotencyKey || policy.methods.has(request.method)
  let delay: number
  if ('code' in outcome) {
    const reached = FAILURES[outcome.code].reached
    const retryable =
      reached === 'no'
        ? // the gateway's own refusals: nothing failed that another try would change
          outcome.code !== 'destination_unavailable' && outcome.code !== 'connection_limit_reached'
        : idempotent && (reached === 'maybe' || policy.on.has(outcome.code))
    if (!retryable) return undefined
    delay = backoff(attempt, random)
  } else {
    if (!idempotent || !policy.statusCodes.has(outcome.status)) return undefined
    const asked = outcome.retryAfter === undefined ? undefined : retryAfterMs(outcome.retryAfter, now)
    if (asked !== undefined && asked > policy.maxDelay) return undefined
    delay = asked ?? backoff(attempt, random)
  }
  delay = Math.min(delay, policy.maxDelay)
  return delay < request.remainingMs ? delay : undefined
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base · 2^(attempt−1))). */
export function backoff(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(RETRY_BACKOFF_CAP_MS, RETRY_BACKOFF_BASE_MS * 2 ** (attempt - 1)))
}

/** A `Retry-After` value in ms: delay-seconds or an HTTP-date; `undefined` when invalid. */
export function retryAfterMs(value: string, now: number = Date.now()): number | undefined {
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // an HTTP-date names its day and month; anything else is not one
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
