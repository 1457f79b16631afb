import type { TemplateValues } from './compileTemplate.js'
import { defaultErrorPage } from './defaultErrorPage.js'
import { ERROR_PAGE_RENDER_TIMEOUT_MS } from './defaults.js'
import type { ErrorPageRequest, ErrorPageResult, ErrorPageType } from './ErrorPages.js'
import type { ErrorRequest } from './errorRequest.js'
import { FAILURES, proxyStatusType } from './failures.js'
import { GatewayError } from './GatewayError.js'
import type { GatewayResponse } from './GatewayResponse.js'
import { ERROR_PAGE_TYPES, negotiateType } from './negotiateType.js'
import type { FailureContext } from './options.js'
import type { ResolvedErrorPage, ResolvedErrorPages } from './resolveErrorPages.js'

/** What answering a failure needs of the gateway. */
export interface ErrorResponseContext {
  readonly options: { readonly proxyName: string; readonly errorPages: ResolvedErrorPages }
  /** Told when a custom page fails (see {@link errorResponse}). */
  readonly report?: (error: GatewayError, context: FailureContext) => void
}

/** A default page's extra header: nothing but its own inline style may load. */
const DEFAULT_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

/**
 * The response the gateway generates for a failure before response headers, in the type negotiated
 * from `Accept` (HTML, `application/problem+json`, `application/json` or text): the failure's
 * status, `Proxy-Status` with the RFC 9209 error type, `X-Request-Id`, `Cache-Control: no-store`,
 * `Retry-After` when known (and on 504s when `errorPages.timeoutRetryAfter` is set), and a body built
 * from the failure table alone (no host, port, errno or stack). `HEAD` gets no body.
 *
 * A custom page (`errorPages`, the failure kind's before its status's) replaces the default. A
 * template or file answers HTML only. A function may answer any type; it is synchronous when it
 * returns a value, and then so is this. One that throws, rejects, returns something else than a page
 * or takes longer than {@link ERROR_PAGE_RENDER_TIMEOUT_MS} gets the default page, and `report` is
 * told: a `GatewayError` `proxy_internal_error` whose `cause` is the renderer's error, with the
 * page's key as `errorPage` in the context. The promise never rejects.
 */
export function errorResponse(
  error: GatewayError,
  request: ErrorRequest,
  context: ErrorResponseContext,
): GatewayResponse | Promise<GatewayResponse> {
  const row = FAILURES[error.code]
  const pages = context.options.errorPages
  const type = negotiateType(request.accept, pages.offers)
  const time = `${new Date().toISOString().slice(0, 19)}Z`
  const values: TemplateValues = {
    status: String(row.status),
    title: row.title,
    detail: row.summary,
    requestId: request.requestId,
    time,
    code: error.code,
  }
  const answer = (pageType: ErrorPageType, body: string, custom: boolean) =>
    response(error, request, context, pageType, body, custom)
  const fallback = () => answer(type, defaultErrorPage(type, values), false)
  const page = pages.pages.get(error.code) ?? pages.pages.get(values.status)
  if (page === undefined) return fallback()
  if (page.render === undefined) return type === 'text/html' ? answer(type, page.template(values), true) : fallback()

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
  }
  const settle = (result: ErrorPageResult): GatewayResponse => {
    if (result === undefined) return fallback()
    if (typeof result === 'string') return type === 'text/html' ? answer(type, result, true) : fallback()
    if (
      typeof result === 'object' &&
      result !== null &&
      ERROR_PAGE_TYPES.includes(result.type) &&
      typeof result.body === 'string'
    ) {
      return answer(result.type, result.body, true)
    }
    return failed(
      new TypeError(
        `errorPages.${page.key} returned ${describeResult(result)}: expected a string, { type, body } or undefined`,
      ),
    )
  }
  let result: ErrorPageResult | Promise<ErrorPageResult>
  try {
    result = page.render(error, pageRequest)
  } catch (cause) {
    return failed(cause)
  }
  if (!isPromiseLike(result)) return settle(result)
  return within(result, ERROR_PAGE_RENDER_TIMEOUT_MS).then(settle, failed)
}

function response(
  error: GatewayError,
  request: ErrorRequest,
  context: ErrorResponseContext,
  type: ErrorPageType,
  text: string,
  custom: boolean,
): GatewayResponse {
  const status = FAILURES[error.code].status
  const body = Buffer.from(text)
  const headers: GatewayResponse['headers'] = {
    'content-type': `${type}; charset=utf-8`,
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'proxy-status': `${context.options.proxyName}; error=${proxyStatusType(error.code)}`,
    'x-request-id': request.requestId,
    'x-content-type-options': 'nosniff',
    vary: 'Accept',
  }
  if (!custom && type === 'text/html') headers['content-security-policy'] = DEFAULT_PAGE_CSP
  const retryAfter = error.retryAfter ?? (status === 504 ? context.options.errorPages.timeoutRetryAfter : undefined)
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
  // the client's request was the trouble (too large, too slow): don't read the rest of it
  if (proxyStatusType(error.code) === 'http_request_error') headers.connection = 'close'
  return { status, headers, body: request.method === 'HEAD' ? null : body, error }
}

function reportRenderer(cause: unknown, page: ResolvedErrorPage, request: ErrorRequest, context: ErrorResponseContext) {
  context.report?.(new GatewayError('proxy_internal_error', { cause }), {
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
