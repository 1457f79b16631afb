import { FAILURES, type FailureRow, proxyStatusType } from '../errors/failures.js'
import { GatewayError } from '../errors/GatewayError.js'
import type { GatewayEvents } from '../events/GatewayEvents.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import { answerTime } from './answerTime.js'
import type { TemplateValues } from './compileTemplate.js'
import type { ErrorPageRequest, ErrorPageResult, ErrorPageType } from './ErrorPages.js'
import { ERROR_PAGE_RENDER_TIMEOUT_MS } from './errorPageDefaults.js'
import type { ErrorRequest } from './errorRequest.js'
import { ERROR_PAGE_TYPES } from './negotiateType.js'
import type { ResolvedErrorPage, ResolvedErrorPages } from './resolveErrorPages.js'

/** What answering a failure needs of the gateway. */
export interface ErrorResponseContext {
  readonly options: { readonly proxyName: string; readonly errorPages: ResolvedErrorPages }
  /** Told when a custom page fails (see {@link errorResponse}). */
  readonly events?: GatewayEvents
}

/** Each page type's `Content-Type`. */
const CONTENT_TYPES: Readonly<Record<ErrorPageType, string>> = {
  'text/html': 'text/html; charset=utf-8',
  'application/problem+json': 'application/problem+json; charset=utf-8',
  'application/json': 'application/json; charset=utf-8',
  'text/plain': 'text/plain; charset=utf-8',
}

/** A default page's extra header: nothing but its own inline style may load. */
const DEFAULT_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

/**
 * The response the gateway generates for a failure before response headers, in the type negotiated
 * from `Accept` (HTML, `application/problem+json`, `application/json` or text): the failure's
 * status, `Proxy-Status` with the RFC 9209 error type, `X-Request-Id`, `Cache-Control: no-store`,
 * `Retry-After` when known (and on 504s when `errorPages.timeoutRetryAfter` is set), `Allow` when
 * the row has one, `Connection: close` when the client's request was the trouble, and a body built
 * from the failure table alone (no host, port, errno or stack). `HEAD` gets no body.
 *
 * A custom page (`errorPages`, the failure kind's before its status's) replaces the default. A
 * template or file answers HTML only. A function may answer any type; it is synchronous when it
 * returns a value, and then so is this. One that throws, rejects, returns something else than a page
 * or takes longer than {@link ERROR_PAGE_RENDER_TIMEOUT_MS} gets the default page, and `report` is
 * told: a `GatewayError` `proxy_internal_error` whose `cause` is the renderer's error, with the
 * page's key as `errorPage` in the context, to the event seam. The promise never rejects.
 */
export function errorResponse(
  error: GatewayError,
  request: ErrorRequest,
  context: ErrorResponseContext,
): GatewayResponse | Promise<GatewayResponse> {
  const row: FailureRow = FAILURES[error.code]
  const type = proxyStatusType(error.code)
  return answer(
    {
      status: row.status,
      title: row.title,
      detail: row.summary,
      code: error.code,
      error,
      proxyStatus: `error=${type}${error.atOutboundProxy ? nextHop(error) : ''}`,
      retryAfter: error.retryAfter ?? (row.status === 504 ? context.options.errorPages.timeoutRetryAfter : undefined),
      // the client's request was the trouble (too large, too slow, malformed): don't read the rest of it
      close: type === 'http_request_error',
      allow: row.allow,
    },
    request,
    context,
  )
}

/**
 * RFC 9209's `next-hop` for a failure at guard mode's outbound proxy, by an alias (never its
 * address), with the status it refused the tunnel with as `received-status`.
 */
function nextHop(error: GatewayError): string {
  const received = error.receivedStatus === undefined ? '' : `; received-status=${error.receivedStatus}`
  return `; next-hop=outbound-proxy${received}`
}

/** The titles of the upstream statuses `errorPages.replaceUpstream` may replace. */
const UPSTREAM_TITLES: Readonly<Record<number, string>> = {
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/**
 * The gateway's page in place of the upstream's own error response (`errorPages.replaceUpstream`):
 * the upstream's status, `Proxy-Status` with `received-status` and no `error` (the failure is the
 * upstream's, not the gateway's), the upstream's `Retry-After` when it sent a valid one, and the
 * status's page (custom pages by status apply; a function page gets `undefined` as the error). The
 * upstream's body and other headers are not sent.
 */
export function upstreamErrorResponse(
  status: number,
  retryAfter: string | undefined,
  request: ErrorRequest,
  context: ErrorResponseContext,
): GatewayResponse | Promise<GatewayResponse> {
  return answer(
    {
      status,
      title: UPSTREAM_TITLES[status] ?? 'Bad Gateway',
      detail: `The service behind the gateway answered with status ${status}.`,
      code: '',
      error: undefined,
      proxyStatus: `received-status=${status}`,
      retryAfter: retryAfter !== undefined && isRetryAfter(retryAfter) ? retryAfter : undefined,
      close: false,
      received: status,
    },
    request,
    context,
  )
}

/** What a generated answer is about: a failure of the gateway's own, or an upstream status it replaces. */
interface Subject {
  readonly status: number
  readonly title: string
  readonly detail: string
  /** The failure kind; empty for a replaced upstream response. */
  readonly code: string
  readonly error: GatewayError | undefined
  /** `Proxy-Status` parameters after the gateway's name. */
  readonly proxyStatus: string
  readonly retryAfter: number | string | undefined
  /** Answer with `Connection: close`. */
  readonly close: boolean
  /** The `Allow` header of a 405. */
  readonly allow?: string | undefined
  /** The upstream's status, when the answer replaces its response. */
  readonly received?: number
}

function answer(
  subject: Subject,
  request: ErrorRequest,
  context: ErrorResponseContext,
): GatewayResponse | Promise<GatewayResponse> {
  const pages = context.options.errorPages
  const type = pages.types.typeFor(request.accept)
  const time = answerTime()
  const fallback = () =>
    response(subject, request, context, type, pages.defaults.render(type, subject, request.requestId, time), false)
  const page =
    pages.pages.size === 0
      ? undefined
      : ((subject.code === '' ? undefined : pages.pages.get(subject.code)) ?? pages.pages.get(String(subject.status)))
  if (page === undefined) return fallback()
  const send = (pageType: ErrorPageType, body: string, custom: boolean) =>
    response(subject, request, context, pageType, Buffer.from(body), custom)
  if (page.render === undefined) {
    if (type !== 'text/html') return fallback()
    const values: TemplateValues = {
      status: String(subject.status),
      title: subject.title,
      detail: subject.detail,
      requestId: request.requestId,
      time,
      code: subject.code,
    }
    return send(type, page.template(values), true)
  }

  const failed = (cause: unknown) => {
    reportRenderer(cause, page, request, context)
    return fallback()
  }
  const pageRequest: ErrorPageRequest = {
    method: request.method,
    url: request.url,
    requestId: request.requestId,
    type,
    time,
    status: subject.status,
  }
  const settle = (result: ErrorPageResult): GatewayResponse => {
    if (result === undefined) return fallback()
    if (typeof result === 'string') return type === 'text/html' ? send(type, result, true) : fallback()
    if (
      typeof result === 'object' &&
      result !== null &&
      ERROR_PAGE_TYPES.includes(result.type) &&
      typeof result.body === 'string'
    ) {
      return send(result.type, result.body, true)
    }
    return failed(
      new TypeError(
        `errorPages.${page.key} returned ${describeResult(result)}: expected a string, { type, body } or undefined`,
      ),
    )
  }
  let result: ErrorPageResult | Promise<ErrorPageResult>
  try {
    result = page.render(subject.error, pageRequest)
  } catch (cause) {
    return failed(cause)
  }
  if (!isPromiseLike(result)) return settle(result)
  return within(result, ERROR_PAGE_RENDER_TIMEOUT_MS).then(settle, failed)
}

function response(
  subject: Subject,
  request: ErrorRequest,
  context: ErrorResponseContext,
  type: ErrorPageType,
  body: Buffer,
  custom: boolean,
): GatewayResponse {
  const headers: GatewayResponse['headers'] = {
    'content-type': CONTENT_TYPES[type],
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'proxy-status': `${context.options.proxyName}; ${subject.proxyStatus}`,
    'x-request-id': request.requestId,
    'x-content-type-options': 'nosniff',
    vary: 'Accept',
  }
  if (!custom && type === 'text/html') headers['content-security-policy'] = DEFAULT_PAGE_CSP
  if (subject.retryAfter !== undefined) headers['retry-after'] = String(subject.retryAfter)
  if (subject.close) headers.connection = 'close'
  if (subject.allow !== undefined) headers.allow = subject.allow
  return { status: subject.status, headers, body: request.method === 'HEAD' ? null : body, error: subject.error }
}

/** A valid `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function isRetryAfter(value: string): boolean {
  return (
    /^\d{1,10}$/.test(value) ||
    (/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value) && !Number.isNaN(Date.parse(value)))
  )
}

function reportRenderer(cause: unknown, page: ResolvedErrorPage, request: ErrorRequest, context: ErrorResponseContext) {
  context.events?.failure(new GatewayError('proxy_internal_error', { cause }), {
    method: request.method,
    path: request.url,
    target: '',
    attempt: 1,
    errorPage: page.key,
  })
}

/** Settle with `promise`, or reject with a `TimeoutError` after `ms`. */
function within<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DOMException(`The error page took longer than ${ms} ms`, 'TimeoutError')), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

function isPromiseLike(value: unknown): value is PromiseLike<ErrorPageResult> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

function describeResult(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object without a known type and a string body'
  return typeof value
}
