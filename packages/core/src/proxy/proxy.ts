import { errorRequest } from '../error-pages/errorRequest.js'
import { errorResponse, upstreamErrorResponse } from '../error-pages/errorResponse.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import { warnOnce } from '../seam/warnOnce.js'
import type { Destination, TargetSet } from '../targets/TargetSet.js'
import { type Forwarded, forward } from '../upstream/forward.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import { bodyReplayable, ReplayableBody } from '../upstream/ReplayableBody.js'
import { sendUpstream, UPSTREAM_RESPONSE } from '../upstream/sendUpstream.js'
import type { UpstreamResponse } from '../upstream/UpstreamExchange.js'
import { drain, rawHeaderValue } from '../upstream/upstreamResponseParts.js'
import { clientResponseHeaders } from './clientResponseHeaders.js'
import { upstreamPath } from './upstreamPath.js'
import { upstreamRequestHeaders } from './upstreamRequestHeaders.js'

/** What proxying needs of its gateway. */
export interface ProxyContext extends GatewayContext {
  readonly targets: TargetSet
}

/**
 * Forward one request to a target. Resolves with the upstream's response (body streaming) or the
 * gateway's answer to a failure before response headers; with `undefined` when the client left.
 * Rejects only for bugs: a throwing hook or a header undici refuses is the framework's 500.
 */
export async function proxy(context: ProxyContext, request: GatewayRequest): Promise<GatewayResponse | undefined> {
  const { options, targets } = context
  const { method, url } = request
  if (request.hasBody && bodyConsumed(request)) {
    warnOnce(
      'GATEWAY_BODY_CONSUMED',
      'gateway-middleware: the request body was already read by a body parser mounted before the gateway, ' +
        'so it cannot be forwarded. Mount the gateway before body parsers (or only parse bodies on your own routes).',
    )
    const error = new GatewayError('proxy_internal_error', { phase: 'send' })
    context.report(error, { method, path: url, target: '', attempt: 1 })
    return errorResponse(error, errorRequest(request), context)
  }
  const sent = upstreamRequestHeaders(request, options)
  const length = request.hasBody ? requestLength(request) : undefined
  if (length !== undefined && length > options.bodyLimit) {
    const error = new GatewayError('request_body_too_large', { phase: 'send' })
    context.report(error, { method, path: url, target: '', attempt: 1 })
    return errorResponse(error, errorRequest(request, sent.requestId), context)
  }
  // the path per destination (targets may have different path prefixes); one slot is enough, as
  // attempts mostly go to one destination
  let pathDestination: Destination | undefined
  let pathCached = ''
  const pathFor = (destination: Destination): string => {
    if (destination !== pathDestination) {
      pathCached = upstreamPath(url, destination.target, options)
      pathDestination = destination
    }
    return pathCached
  }
  const report = (error: GatewayError, destination: Destination | undefined, attempt: number) =>
    context.report(error, {
      method,
      path: destination === undefined ? url : pathFor(destination),
      target: destination?.target.origin ?? '',
      attempt,
    })
  const body = request.hasBody
    ? new ReplayableBody(request.body, options.retry?.bodyLimit ?? 0, length, options.bodyLimit)
    : null
  const attempts = {
    body,
    timeout: options.timeout,
    deadline: options.timeout.total === 0 ? Number.POSITIVE_INFINITY : performance.now() + options.timeout.total,
    signal: request.signal,
  }
  let forwarded: Forwarded<UpstreamResponse>
  try {
    forwarded = await forward(context, {
      method,
      idempotencyKey: sent.idempotencyKey,
      deadline: attempts.deadline,
      signal: request.signal,
      shape: UPSTREAM_RESPONSE,
      pick(avoid) {
        const now = Date.now()
        return (
          targets.pick(now, avoid) ??
          new GatewayError('destination_unavailable', {
            retryAfter: Math.max(1, Math.ceil(targets.msUntilAvailable(now) / 1000)),
          })
        )
      },
      send: (destination, attempt) =>
        sendUpstream(
          attempts,
          destination,
          { origin: undefined, path: pathFor(destination), method, headers: sent.headers },
          (error) => report(error, destination, attempt),
        ),
      replayable: () => bodyReplayable(body),
      report,
      retrying: (destination, retry) =>
        context.retrying({ ...retry, method, path: pathFor(destination), target: destination.target.origin }),
    })
  } catch (error) {
    body?.release()
    if (request.signal.aborted) return undefined
    if (isGatewayError(error)) return errorResponse(error, errorRequest(request, sent.requestId), context)
    throw error
  }
  const { response, destination } = forwarded
  // no retry is possible once response headers arrived: stop keeping the body
  body?.stopKeeping()
  if (options.errorPages.replaceUpstream.has(response.statusCode)) {
    // the upstream's own error answer, replaced by the gateway's page: its body is not needed
    if (response.takeComplete() === undefined) void drain(response)
    const retryAfter = rawHeaderValue(response.rawHeaders, 'retry-after')
    return upstreamErrorResponse(response.statusCode, retryAfter, errorRequest(request, sent.requestId), context)
  }
  try {
    const headers = clientResponseHeaders(response.rawHeaders, request, sent, destination.target, options)
    const status = response.statusCode
    // HEAD, 204 and 304 have framing headers that describe a body that is not there
    if (method === 'HEAD' || status === 204 || status === 304) {
      return { status, headers, body: response.body, error: undefined }
    }
    // a response that arrived whole goes out as a buffer, and so does a short one (declared within
    // 64 KiB) once it has: no stream to pipe, which costs the frameworks more than the wait does
    let whole = response.takeComplete()
    if (whole === undefined) {
      const settled = await response.completeSoon(declaredLength(headers['content-length']))
      // the client left while the body arrived: the upstream exchange was aborted with it
      if (request.signal.aborted) return undefined
      // nothing went out yet, so a short body that failed on the way is the gateway's 502 or 504
      // (already reported to onError), not a cut
      if (isGatewayError(settled)) return errorResponse(settled, errorRequest(request, sent.requestId), context)
      if (!(settled instanceof Error)) whole = settled
    }
    return { status, headers, body: whole ?? response.body, error: undefined }
  } catch (error) {
    response.body.destroy()
    if (!isGatewayError(error)) throw error
    context.report(error, { method, path: pathFor(destination), target: destination.target.origin, attempt: 1 })
    return errorResponse(error, errorRequest(request, sent.requestId), context)
  }
}

/** Whether a body parser already read the body: forwarding it would send nothing, or hang. */
function bodyConsumed(request: GatewayRequest): boolean {
  const body = request.body as GatewayRequest['body'] & { readableDidRead?: boolean; _body?: unknown }
  return body.readableEnded || body.readableDidRead === true || body._body === true
}

/** A response's `Content-Length` as a number, when it has exactly one. */
function declaredLength(value: string | string[] | undefined): number | undefined {
  return typeof value === 'string' ? Number(value) : undefined
}

/** The request's `Content-Length`, when it declared one. */
function requestLength(request: GatewayRequest): number | undefined {
  const raw = request.rawHeaders
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).length === 14 && (raw[i] as string).toLowerCase() === 'content-length') {
      return Number(raw[i + 1])
    }
  }
  return undefined
}
