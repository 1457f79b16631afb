import type { Dispatcher } from 'undici'
import { clientResponseHeaders } from './clientResponseHeaders.js'
import { errorResponse } from './errorResponse.js'
import { GatewayError, isGatewayError } from './GatewayError.js'
import type { GatewayRequest } from './GatewayRequest.js'
import type { GatewayResponse } from './GatewayResponse.js'
import { RequestBody } from './RequestBody.js'
import type { ProxyOptions } from './resolveOptions.js'
import { type CallSpec, callUpstream } from './UpstreamCall.js'
import { upstreamPath } from './upstreamPath.js'
import { upstreamRequestHeaders } from './upstreamRequestHeaders.js'
import { warnOnce } from './warnOnce.js'

/** Header values Node's `ServerResponse` would refuse (it throws on them). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** What proxying needs of its gateway. */
export interface ProxyContext {
  readonly options: ProxyOptions
  readonly dispatcher: Dispatcher
  /** Reports a failure to `onError` with what is known of the request. */
  readonly report: (error: GatewayError, method: string, path: string) => void
}

/**
 * Forward one request to the target. Resolves with the upstream's response (body streaming) or the
 * gateway's answer to a failure before response headers; with `undefined` when the client left.
 * Rejects only for bugs: a throwing hook or a header undici refuses is the framework's 500.
 */
export async function proxy(context: ProxyContext, request: GatewayRequest): Promise<GatewayResponse | undefined> {
  const { options } = context
  if (request.hasBody && bodyConsumed(request)) {
    warnOnce(
      'GATEWAY_BODY_CONSUMED',
      'gateway-middleware: the request body was already read by a body parser mounted before the gateway, ' +
        'so it cannot be forwarded. Mount the gateway before body parsers (or only parse bodies on your own routes).',
    )
    const error = new GatewayError('proxy_internal_error', { phase: 'send' })
    context.report(error, request.method, request.url)
    return errorResponse(error, options.proxyName, request.method)
  }
  const path = upstreamPath(request.url, options)
  const sent = upstreamRequestHeaders(request, options)
  const spec: CallSpec = {
    dispatcher: context.dispatcher,
    request: {
      path,
      method: request.method,
      headers: sent.headers,
      body: request.hasBody ? new RequestBody(request.body) : null,
    },
    timeout: options.timeout,
    deadline: options.timeout.total === 0 ? Number.POSITIVE_INFINITY : performance.now() + options.timeout.total,
    signal: request.signal,
    onFailure: (error) => context.report(error, request.method, path),
  }
  let upstream: Awaited<ReturnType<typeof callUpstream>>
  try {
    upstream = await callUpstream(spec)
  } catch (error) {
    if (request.signal.aborted) return undefined
    if (isGatewayError(error)) return errorResponse(error, options.proxyName, request.method)
    throw error
  }
  try {
    const raw = upstream.rawHeaders
    for (let i = 1; i < raw.length; i += 2) {
      if (INVALID_HEADER_VALUE.test((raw[i] as Buffer).toString('latin1'))) {
        throw new GatewayError('http_protocol_error', { phase: 'headers' })
      }
    }
    const headers = clientResponseHeaders(raw, request, sent, options)
    return { status: upstream.statusCode, headers, body: upstream.body, error: undefined }
  } catch (error) {
    upstream.body.destroy()
    if (!isGatewayError(error)) throw error
    context.report(error, request.method, path)
    return errorResponse(error, options.proxyName, request.method)
  }
}

/** Whether a body parser already read the body: forwarding it would send nothing, or hang. */
function bodyConsumed(request: GatewayRequest): boolean {
  const body = request.body as GatewayRequest['body'] & { readableDidRead?: boolean; _body?: unknown }
  return body.readableEnded || body.readableDidRead === true || body._body === true
}
