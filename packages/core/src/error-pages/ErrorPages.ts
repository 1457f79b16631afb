import type { FailureCode } from '../errors/failures.js'
import type { GatewayError } from '../errors/GatewayError.js'

/** A media type the gateway can answer a failure in, as negotiated from the request's `Accept`. */
export type ErrorPageType = 'text/html' | 'application/problem+json' | 'application/json' | 'text/plain'

/** What a function page is told about the request it answers. Holds nothing secret. */
export interface ErrorPageRequest {
  /** The client's request method. */
  readonly method: string
  /** The request path and query, as the client sent them (after the mount path). */
  readonly url: string
  /** The request id sent as `X-Request-Id`: the client's when it was a safe token, else a generated UUID. */
  readonly requestId: string
  /** The type negotiated from `Accept` (the default type when `Accept` is missing or is `*\/*`). */
  readonly type: ErrorPageType
  /** When the failure is answered, in UTC: `2026-11-25T12:34:56Z`. */
  readonly time: string
  /** The status being answered. */
  readonly status: number
}

/**
 * What a function page returns: a string is HTML (used when the client negotiated HTML; other
 * clients get the default JSON or text), `{ type, body }` answers in any of the four types, and
 * `undefined` keeps the default page.
 */
export type ErrorPageResult = string | { readonly type: ErrorPageType; readonly body: string } | undefined

/**
 * A function page: may be async; one that throws, rejects or takes over a second gets the default
 * page instead. `error` is the gateway's failure, or `undefined` when the page replaces the
 * upstream's own error response (`replaceUpstream`; the status is `request.status`).
 */
export type ErrorPageRenderer = (
  error: GatewayError | undefined,
  request: ErrorPageRequest,
) => ErrorPageResult | Promise<ErrorPageResult>

/**
 * One custom page: an HTML template string with `{{placeholders}}` (HTML-escaped), `{ file: path }`
 * (such a template, read once at setup), or a function.
 */
export type ErrorPage = string | { readonly file: string } | ErrorPageRenderer

/**
 * Custom error pages for the answers the gateway generates itself (the upstream's own error
 * responses pass through unchanged unless `replaceUpstream` says otherwise). Keys are statuses (`502`, `503`, `504`) or failure kinds (`connection_refused`, …);
 * a kind wins over its status.
 *
 * Template placeholders: `{{status}}`, `{{title}}`, `{{detail}}`, `{{requestId}}`, `{{time}}`, `{{code}}`.
 */
export type ErrorPages = { [status in 502 | 503 | 504]?: ErrorPage } & { [code in FailureCode]?: ErrorPage } & {
  /**
   * The type answered when `Accept` is missing, is `*\/*`, or names nothing the gateway offers.
   * @default 'text/html'
   */
  defaultType?: ErrorPageType
  /**
   * Seconds sent as `Retry-After` with the gateway's 504s (503s carry one whenever it is known).
   * @default undefined (none)
   */
  timeoutRetryAfter?: number
  /**
   * Proxy mode: answer the upstream's own 502, 503 or 504 with the gateway's page for that status
   * (custom pages by status apply) instead of passing the upstream's response through. `true` means
   * all three. The answer keeps the upstream's status and valid `Retry-After`, and says
   * `Proxy-Status: <proxyName>; received-status=503` (no `error`: the failure is the upstream's).
   * @default false (upstream error responses pass through unchanged)
   */
  replaceUpstream?: boolean | readonly (502 | 503 | 504)[]
}
