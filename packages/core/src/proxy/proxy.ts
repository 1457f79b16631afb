import { errorRequest } from '../error-pages/errorRequest.js'
import { errorResponse, upstreamErrorResponse } from '../error-pages/errorResponse.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { WarningEvent } from '../events/GatewayEvents.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
import { headerValue } from '../http/headerValue.js'
import { rawHeaderValue } from '../http/rawHeaderValue.js'
import { serverTiming } from '../observe/serverTiming.js'
import type { ResolvedTarget } from '../options/resolveOptions.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import type { ClientUpgrade } from '../seam/routeUpgrade.js'
import { warnOnce } from '../seam/warnOnce.js'
import type { Origins } from '../targets/Origins.js'
import type { TargetRouter } from '../targets/TargetRouter.js'
import type { Destination, TargetSet } from '../targets/TargetSet.js'
import { requestedUpgrade } from '../upgrade/requestedUpgrade.js'
import { switchedTo, switchingProtocols } from '../upgrade/switchingProtocols.js'
import type { Tunnels } from '../upgrade/Tunnels.js'
import { collectBody, WHOLE_REQUEST_BODY_BYTES } from '../upstream/collectBody.js'
import { drain } from '../upstream/drain.js'
import { type Forwarded, type ForwardPlan, forward } from '../upstream/forward.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import { bodyReplayable, ReplayableBody } from '../upstream/ReplayableBody.js'
import { sendUpstream, UPSTREAM_RESPONSE, type UpstreamAttempts } from '../upstream/sendUpstream.js'
import type { UpstreamResponse } from '../upstream/UpstreamExchange.js'
import { clientResponseHeaders } from './clientResponseHeaders.js'
import { framedFor, parsedRequestBody } from './parsedRequestBody.js'
import { RoutingRequest } from './RoutingRequest.js'
import { rewriteResponseBody, rewritesType } from './rewriteBody.js'
import { upstreamPath } from './upstreamPath.js'
import { type UpstreamRequestHeaders, upstreamRequestHeaders } from './upstreamRequestHeaders.js'

/** What proxying needs of its gateway. */
export interface ProxyContext extends GatewayContext {
  readonly targets: TargetSet
  /** `target` as a function, and the origins it names; `undefined` with static targets. */
  readonly routing: { readonly router: TargetRouter; readonly origins: Origins } | undefined
  /** The upgraded connections (WebSocket) the gateway relays. */
  readonly tunnels: Tunnels
}

/**
 * Forward one request to a target, in three steps: admission (may the request go at all: `TRACE`
 * unless allowed, a `Host` that is not exactly one valid field, a body a parser already read unless
 * `reserializeBody` may forward it, a declared body over `limits.body`), forwarding (the attempt
 * loop), and presentation (the upstream's response as the client gets it, its body rewritten when
 * `rewriteResponseBody` lists its type). Each step throws a `GatewayError` when it fails, and one
 * exit turns it into the gateway's answer.
 *
 * Resolves with the upstream's response (body streaming) or the gateway's answer to a failure before
 * anything was sent; with `undefined` when the client left. Rejects only for bugs: a throwing hook is
 * the framework's 500. A request undici refuses to send (a header from `rewriteRequestHeaders`, a
 * path from `rewritePath` that is not valid HTTP: the client's own header lines were checked by
 * Node's parser and at admission) is the gateway's 500 `proxy_internal_error`, warned about once.
 */
export function proxy(context: ProxyContext, request: GatewayRequest): Promise<GatewayResponse | undefined> {
  const proxied = new ProxiedRequest(context, request)
  // not `async`, and each step awaited only when it is asynchronous: a plain GET makes one promise
  // here (the `then`), besides the attempt loop's (an `async` function makes one, each `await` one
  // more, and each pays the OpenTelemetry context manager's promise hooks when the SDK is on)
  let forwarding: Promise<Forwarded<UpstreamResponse>>
  try {
    forwarding = proxied.forward(proxied.admit())
  } catch (error) {
    return proxied.settle(error)
  }
  return forwarding.then(
    (forwarded) => proxied.presentOrSettle(forwarded),
    (error: unknown) => proxied.settle(error),
  )
}

/** One request on its way through the proxy: what its steps share. */
class ProxiedRequest {
  private sent: UpstreamRequestHeaders | undefined
  private body: ReplayableBody | null = null
  /** The bytes sent in place of a body a parser already read (`reserializeBody`). */
  private parsed: Buffer | undefined
  /** A short body (declared within {@link WHOLE_REQUEST_BODY_BYTES}) that is read whole before the first attempt. */
  private whole = false
  private attempts = 0
  /** The latest attempt's phases. */
  private phases: PhaseRecord | undefined
  private fallbackId: string | undefined
  /** When the first attempt began. */
  private firstStarted: number | undefined
  /** The protocol an upgrade request switches to, when the gateway proxies it as one. */
  private upgrade: string | undefined
  /** Where the latest attempt went. */
  private destination: Destination | undefined
  /** The path per destination (targets may have different path prefixes); one slot is enough, as attempts mostly go to one. */
  private pathDestination: Destination | undefined
  private pathCached = ''
  /** What a target function named for this request (its origin and path prefix); `undefined` with static targets. */
  private routed: ResolvedTarget | undefined

  constructor(
    private readonly context: ProxyContext,
    private readonly request: GatewayRequest,
  ) {}

  /** Admission: the headers to send, or a `GatewayError` when the request may not go upstream. */
  admit(): UpstreamRequestHeaders {
    const { request, context } = this
    // cross-site tracing: an upstream's echo of the request would show a script the client's cookies
    if (request.method === 'TRACE' && !context.options.allowTrace) throw new GatewayError('request_method_not_allowed')
    const consumed = request.hasBody && bodyConsumed(request)
    if (consumed) {
      if (!context.options.reserializeBody) {
        warnOnce(
          'GATEWAY_BODY_CONSUMED',
          'gateway-middleware: the request body was already read by a body parser mounted before the gateway, ' +
            'so it cannot be forwarded. Mount the gateway before body parsers (or only parse bodies on your own routes), ' +
            'or set reserializeBody: true to forward what the parser read.',
        )
        throw new GatewayError('proxy_internal_error', { phase: 'send' })
      }
    }
    // throws for a Host that is not exactly one valid field
    let sent = upstreamRequestHeaders(request, context.options)
    let parsed: Buffer | undefined
    if (consumed) {
      // throws for a body that may not be forwarded (multipart, rejected by the parser)
      parsed = parsedRequestBody(request, sent.headers)
      sent = { ...sent, headers: framedFor(sent.headers, parsed) }
    }
    this.sent = sent
    const upgrade = context.options.upgrade === undefined ? undefined : requestedUpgrade(request.rawHeaders)
    if (upgrade !== undefined && context.options.upgrade?.protocols.has(upgrade)) {
      // without the server's upgrade listener the connection is not ours: a plain GET would reach the
      // upstream without its Upgrade, and the client would get the wrong answer
      if (request.upgrade === undefined) {
        warnOnce(
          'GATEWAY_UPGRADE_NOT_HOOKED',
          'gateway-middleware: a WebSocket upgrade reached the gateway without its upgrade listener, so it cannot be proxied. ' +
            "Add server.on('upgrade', middleware.upgrade) where the app's server is created.",
        )
        throw new GatewayError('upgrade_not_hooked')
      }
      this.upgrade = upgrade
    }
    const length = parsed !== undefined ? parsed.length : request.hasBody ? requestLength(request) : undefined
    if (length !== undefined && length > context.options.bodyLimit) {
      throw new GatewayError('request_body_too_large', { phase: 'send' })
    }
    if (parsed !== undefined) this.parsed = parsed
    else if (length !== undefined && length <= WHOLE_REQUEST_BODY_BYTES) this.whole = true
    else if (request.hasBody) {
      const { retry, bodyLimit } = context.options
      this.body = new ReplayableBody(request.body, retry?.bodyLimit ?? 0, length, bodyLimit)
    }
    return sent
  }

  /** Forwarding: the attempt loop, to the response headers. */
  forward(sent: UpstreamRequestHeaders): Promise<Forwarded<UpstreamResponse>> {
    const { context, request, body } = this
    const deadline =
      context.options.timeout.total === 0 ? Number.POSITIVE_INFINITY : performance.now() + context.options.timeout.total
    // a short body is read whole first: undici writes a buffer with the request head in one write,
    // where a stream costs it listeners, a write and a pause and resume per chunk, and the gateway a
    // stream per attempt
    if (this.whole) {
      return collectBody(request.body, deadline, request.signal).then((whole) =>
        this.forwardWith(sent, whole, deadline),
      )
    }
    return this.forwardWith(sent, this.parsed ?? body, deadline)
  }

  /** Forwarding once the body to send is known: to the targets in rotation, or where a target function says. */
  private forwardWith(
    sent: UpstreamRequestHeaders,
    body: UpstreamAttempts['body'],
    deadline: number,
  ): Promise<Forwarded<UpstreamResponse>> {
    const { context, request } = this
    const { options, routing } = context
    const attempts: UpstreamAttempts = {
      body,
      timeout: options.timeout,
      deadline,
      signal: request.signal,
      verifyLength: options.http2,
    }
    // a target function names one origin (none once the gateway is closing): the one path that waits before the loop
    if (routing !== undefined && !context.lifecycle.closing) return this.forwardRouted(sent, attempts, routing)
    return forward(context, this.plan(sent, attempts, undefined))
  }

  /**
   * Forwarding with a target function: it names one origin, and every attempt goes there; the time it
   * takes counts against `timeout.total`.
   */
  private async forwardRouted(
    sent: UpstreamRequestHeaders,
    attempts: UpstreamAttempts,
    routing: NonNullable<ProxyContext['routing']>,
  ): Promise<Forwarded<UpstreamResponse>> {
    this.routed = await routing.router.route(new RoutingRequest(this.request), attempts.deadline - performance.now())
    // the deadline passed while the function decided: the gateway's time, not the origin's (no ejection)
    if (performance.now() >= attempts.deadline) throw new GatewayError('http_response_timeout', { phase: 'headers' })
    const origin = routing.origins.acquire(this.routed)
    try {
      return await forward(this.context, this.plan(sent, attempts, origin))
    } finally {
      routing.origins.release(origin)
    }
  }

  /** What the attempt loop needs for this request: to the targets in rotation, or to a target function's `origin`. */
  private plan(
    sent: UpstreamRequestHeaders,
    attempts: UpstreamAttempts,
    origin: Destination | undefined,
  ): ForwardPlan<UpstreamResponse> {
    const { context, request } = this
    const { options, targets } = context
    const method = request.method
    return {
      method,
      idempotencyKey: sent.idempotencyKey,
      deadline: attempts.deadline,
      signal: request.signal,
      shape: UPSTREAM_RESPONSE,
      pick:
        origin === undefined
          ? (avoid) => {
              const now = Date.now()
              return (
                targets.pick(now, avoid) ??
                new GatewayError('destination_unavailable', {
                  retryAfter: Math.max(1, Math.ceil(targets.msUntilAvailable(now) / 1000)),
                })
              )
            }
          : () => available(origin),
      send: (attempt) => {
        this.attempts = attempt.number
        this.destination = attempt.destination
        this.phases = attempt
        this.firstStarted ??= attempt.started
        return sendUpstream(attempts, attempt, {
          origin: undefined,
          path: this.pathFor(attempt.destination),
          method,
          headers: sent.headers,
          upgrade: this.upgrade,
        })
      },
      replayable: () => bodyReplayable(attempts.body),
      where: (destination) => this.where(destination),
      hedgeAfter: options.hedge?.methods.has(method) ? (options.hedge.delay ?? 'recent') : undefined,
      // a function's origin is the only one its requests can go to: never ejected for answers alone
      mayEjectForAnswers:
        origin === undefined
          ? () => targets.mayEjectForAnswers(Date.now(), options.circuit?.maxEjectionPercent ?? 0)
          : undefined,
      clientHeaders: request.rawHeaders,
    }
  }

  /** Presentation, with a failure of it to the one exit. */
  presentOrSettle(forwarded: Forwarded<UpstreamResponse>): MaybePromise<GatewayResponse | undefined> {
    try {
      const presented = this.present(forwarded)
      return presented instanceof Promise ? presented.catch((error: unknown) => this.settle(error)) : presented
    } catch (error) {
      return this.settle(error)
    }
  }

  /**
   * Presentation: the upstream's response as the client gets it (or the gateway's page in its place);
   * a promise only when it has to wait (a body to rewrite, a short body still arriving, a page
   * function).
   */
  private present({ response, destination }: Forwarded<UpstreamResponse>): MaybePromise<GatewayResponse | undefined> {
    const { context, request, upgrade } = this
    const { options } = context
    const sent = this.sent as UpstreamRequestHeaders
    // no retry is possible once response headers arrived: stop keeping the body
    this.body?.stopKeeping()
    const status = response.statusCode
    if (upgrade !== undefined) {
      const answer = this.switchOrRefuse(response, upgrade)
      if (answer === undefined) return undefined
    }
    if (options.errorPages.replaceUpstream.has(status)) {
      // the upstream's own error answer, replaced by the gateway's page: its body is not needed
      if (response.takeComplete() === undefined) void drain(response)
      const retryAfter = rawHeaderValue(response.rawHeaders, 'retry-after')
      const page = upstreamErrorResponse(status, retryAfter, errorRequest(request, sent.requestId), context)
      return page instanceof Promise ? page.then((answer) => this.announced(answer)) : this.announced(page)
    }
    let headers: GatewayResponse['headers']
    try {
      headers = clientResponseHeaders(response.rawHeaders, request, sent, this.routed ?? destination.target, options)
    } catch (error) {
      response.body.destroy()
      throw error
    }
    // HEAD, 204 and 304 have framing headers that describe a body that is not there
    if (request.method === 'HEAD' || status === 204 || status === 304) {
      return this.announced({ status, headers, body: response.body, error: undefined })
    }
    const rewrite = options.rewriteResponseBody
    if (
      rewrite !== undefined &&
      upgrade === undefined &&
      // a range of the upstream's bytes is not a range of the rewritten ones
      status !== 206 &&
      rewritesType(headers['content-type'], rewrite)
    ) {
      return this.rewritten(response, status, headers, rewrite, destination)
    }
    // a response that arrived whole goes out as a buffer, and so does a short one (declared within
    // 64 KiB) once it has: no stream to pipe, which costs the frameworks more than the wait does
    const whole = response.takeComplete()
    if (whole !== undefined) return this.announced({ status, headers, body: whole, error: undefined })
    return this.whenComplete(response, status, headers)
  }

  /** A short body still arriving: wait for it, to send it as one buffer (a long or unknown one streams). */
  private async whenComplete(
    response: UpstreamResponse,
    status: number,
    headers: GatewayResponse['headers'],
  ): Promise<GatewayResponse> {
    const settled = await response.completeSoon(declaredLength(headers['content-length']))
    // nothing went out yet, so a short body that failed on the way is the gateway's 502 or 504
    // (already told by the exchange), not a cut; the client leaving aborted the exchange
    if (settled instanceof Error) {
      if (isGatewayError(settled) || this.request.signal.aborted) throw settled
    }
    const body = settled instanceof Buffer ? settled : response.body
    return this.announced({ status, headers, body, error: undefined })
  }

  /** The body rewritten by `rewriteResponseBody`. */
  private async rewritten(
    response: UpstreamResponse,
    status: number,
    headers: GatewayResponse['headers'],
    rewrite: NonNullable<ProxyContext['options']['rewriteResponseBody']>,
    destination: Destination,
  ): Promise<GatewayResponse> {
    const rewritten = await rewriteResponseBody(response, headers, this.request, rewrite, (code) =>
      this.warn(code, destination),
    )
    return this.announced({ status, headers: rewritten.headers, body: rewritten.body, error: undefined })
  }

  /**
   * The one exit for a failure of any step: the client gone is no answer; a `GatewayError` is the
   * gateway's page (told once to the event seam, whichever step raised it); a request undici refused
   * to send is the gateway's 500 `proxy_internal_error`; anything else is a bug, the framework's 500.
   */
  async settle(failure: unknown): Promise<GatewayResponse | undefined> {
    const { context, request } = this
    this.body?.release()
    if (request.signal.aborted) {
      const { events } = context
      if (events.wants.departure) {
        events.departure({ requestId: this.requestId(), method: request.method, path: request.url, log: request.log })
      }
      return undefined
    }
    const error = refusedByUndici(failure) ? refusal(failure) : failure
    if (!isGatewayError(error)) throw error
    const { events } = context
    if (events.untold(error)) {
      events.failure(error, {
        method: request.method,
        ...this.where(this.destination),
        attempt: Math.max(1, this.attempts),
      })
    }
    return this.announced(await errorResponse(error, errorRequest(request, this.requestId()), context))
  }

  /**
   * An upgrade's answer: a `101` to the protocol asked for switches, and the connection is relayed
   * from then on (`undefined`: nothing to write); a `101` to another protocol is an invalid answer;
   * anything else is an HTTP answer like any other, after which the connection closes, since the
   * client still means to switch (bytes it sends after it must never reach the upstream).
   */
  private switchOrRefuse(response: UpstreamResponse, upgrade: string): UpstreamResponse | undefined {
    const socket = response.socket
    if (socket === undefined) return response
    if (switchedTo(response.rawHeaders) !== upgrade) {
      socket.destroy()
      throw new GatewayError('http_upgrade_failed', { phase: 'headers' })
    }
    const client = this.request.upgrade as ClientUpgrade
    const { tunnels, options } = this.context
    tunnels.relay(
      client.take(),
      socket,
      switchingProtocols(response.rawHeaders, upgrade),
      client.head,
      options.upgrade?.idle ?? 0,
    )
    this.announced({ status: 101, headers: {}, body: null, error: undefined })
    return undefined
  }

  /** Tell the log (and the process, once) that a response body was left unrewritten. */
  private warn(code: WarningEvent['code'], destination: Destination): void {
    const { events, options } = this.context
    warnOnce(
      code === 'response_body_over_limit' ? 'GATEWAY_REWRITE_BODY_OVER_LIMIT' : 'GATEWAY_REWRITE_BODY_ENCODING',
      code === 'response_body_over_limit'
        ? `gateway-middleware: a response body over rewriteResponseBody.limit (${options.rewriteResponseBody?.limit} bytes) ` +
            'passed through unrewritten. Raise the limit if such bodies must be rewritten.'
        : 'gateway-middleware: a response body in a content coding the gateway cannot decode (such as zstd) passed ' +
            'through unrewritten.',
    )
    if (events.wants.warning) {
      events.warning({
        code,
        requestId: this.requestId(),
        method: this.request.method,
        path: this.request.url,
        target: destination.target.origin,
      })
    }
  }

  /** Announce the answer that is starting, and hand it on. */
  private announced(response: GatewayResponse): GatewayResponse {
    if (this.upgrade !== undefined && response.status !== 101) closeAfter(response)
    if (this.context.options.serverTiming && this.firstStarted !== undefined) this.addServerTiming(response)
    const { events } = this.context
    if (events.wants.response) {
      events.response({
        method: this.request.method,
        path: this.request.url,
        status: response.status,
        error: response.error,
        attempts: this.attempts,
        requestId: this.requestId(),
        target: this.destination?.target.origin ?? '',
        phases: this.phases,
        log: this.request.log,
      })
    }
    return response
  }

  /** Add the gateway's entries to the answer's `Server-Timing` (after the upstream's own, if any). */
  private addServerTiming(response: GatewayResponse): void {
    const headers = response.headers as Record<string, string | string[]>
    const ours = serverTiming(this.firstStarted as number, this.phases, performance.now())
    const theirs = headers['server-timing']
    headers['server-timing'] = theirs === undefined ? ours : [...(Array.isArray(theirs) ? theirs : [theirs]), ours]
  }

  private where(destination: Destination | undefined): {
    path: string
    target: string
    requestId: string
    log: GatewayLogger | undefined
  } {
    const requestId = this.requestId()
    const log = this.request.log
    return destination === undefined
      ? { path: this.request.url, target: '', requestId, log }
      : { path: this.pathFor(destination), target: destination.target.origin, requestId, log }
  }

  /** The id forwarded as `X-Request-Id` (once the headers were made; else the one an answer would get). */
  private requestId(): string {
    if (this.sent !== undefined) return this.sent.requestId
    this.fallbackId ??= errorRequest(this.request).requestId
    return this.fallbackId
  }

  private pathFor(destination: Destination): string {
    if (destination !== this.pathDestination) {
      this.pathCached = upstreamPath(this.request.url, this.routed ?? destination.target, this.context.options)
      this.pathDestination = destination
    }
    return this.pathCached
  }
}

/** A value, or a promise of one when it has to wait. */
type MaybePromise<T> = T | Promise<T>

/** A target function's origin, unless passive health has it out of the rotation now. */
function available(origin: Destination): Destination | GatewayError {
  const now = Date.now()
  const circuit = origin.circuit
  if (circuit === undefined || circuit.available(now)) return origin
  return new GatewayError('destination_unavailable', {
    retryAfter: Math.max(1, Math.ceil(circuit.msUntilAvailable(now) / 1000)),
  })
}

/** An upgrade request answered in HTTP: the connection closes after the answer. */
function closeAfter(response: GatewayResponse): void {
  ;(response.headers as Record<string, string | string[]>).connection = 'close'
}

/**
 * Whether undici refused the request before sending any of it: its argument checks (a header name
 * or value that is not valid HTTP, a second `Host` or `Content-Length`, a field it sets itself, an
 * invalid path) throw these two, and nothing else does.
 */
function refusedByUndici(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Error && (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED')
}

/**
 * undici's refusal as the gateway's answer. The client's header lines passed Node's parser and
 * admission, so what undici refused was made on the gateway's side, by the app's hooks: the app's
 * bug, so a 500, but the gateway's page rather than the framework's (Express's, outside production,
 * is the stack with file paths), with the cause kept for `onError`.
 */
function refusal(cause: Error): GatewayError {
  warnOnce(
    'GATEWAY_UPSTREAM_REQUEST_REFUSED',
    `gateway-middleware: undici refused to send the upstream request (${cause.message}), so the client got 500 ` +
      'proxy_internal_error. Check what rewriteRequestHeaders and rewritePath return: a header or path with a CR, LF ' +
      'or other control character, a header name that is not a token, or two Host or Content-Length fields is not valid HTTP.',
  )
  return new GatewayError('proxy_internal_error', { cause, phase: 'send' })
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
  const length = headerValue(request.rawHeaders, 'content-length')
  return length === undefined ? undefined : Number(length)
}
