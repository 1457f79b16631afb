import type { ErrorPages } from '../error-pages/ErrorPages.js'
import type { FailureCode } from '../errors/failures.js'
import type { GatewayError } from '../errors/GatewayError.js'
import type { FailureContext, RetryContext } from '../events/FailureContext.js'
import type { HeaderRecord } from '../http/headerRecord.js'
import type { MeterProviderLike, TracerProviderLike } from '../observe/TelemetryProviders.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'

/** A timeout in ms, or `false` to turn that phase's timeout off. */
export type TimeoutMs = number | false

/** Timeouts by phase, in ms. Each one is enforced by the gateway's own timer, at any resolution. */
export interface TimeoutOptions {
  /**
   * TCP + TLS connect. The wait for a free pooled connection does not count: that is `timeout.queue`.
   * @default 5000
   */
  connect?: TimeoutMs
  /**
   * Longest wait in the gateway's queue for a target, when `pool.connections` (or `concurrency`)
   * requests are already under way to it: past it the answer is 503 `connection_limit_reached` with
   * `Retry-After`, at once. A queue wait never ejects a target and never counts as its failure.
   * A queue that has not emptied for 100 ms (lasting overload, not a burst) is served newest first,
   * and its requests that waited over 25 ms get the 503 then rather than at this timeout.
   * @default 250
   */
  queue?: TimeoutMs
  /**
   * From the request being fully sent to the response headers. Time the client spends uploading
   * does not count.
   * @default 30000
   */
  headers?: TimeoutMs
  /**
   * Longest silence of the upstream while the response body streams (a slow client's backpressure
   * does not count).
   * @default 30000
   */
  idle?: TimeoutMs
  /**
   * Deadline from the request's arrival to the upstream's response headers.
   * @default 60000
   */
  total?: TimeoutMs
}

/** TLS settings for `https:` targets. Certificates are verified by default. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM), replacing Node's bundled list. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Buffer
  /** SNI name and the name the certificate must match. @default the target's host name */
  servername?: string
  /**
   * Verify the upstream's certificate. Turn off only for local development.
   * @default true
   */
  rejectUnauthorized?: boolean
}

/** Upstream connection pool settings, per target. */
export interface PoolOptions {
  /**
   * Most open connections per target; requests beyond it wait in the gateway's queue
   * (`timeout.queue`, `limits.queue`), then get 503 `connection_limit_reached`.
   * @default 128
   */
  connections?: number
  /**
   * How long an idle keep-alive connection is kept, in ms.
   * @default 4000
   */
  keepAliveTimeout?: number
}

/** Retries: on by default, and safe by default (RFC 9110 §9.2.2). */
export interface RetryOptions {
  /**
   * Most retries after the first attempt.
   * @default 2
   */
  limit?: number
  /**
   * Methods treated as idempotent: retried after a reset, and for opted-in failures and statuses.
   * A request with an `Idempotency-Key` header counts as idempotent too. Failures where nothing
   * reached the upstream (refused, connect timeout, DNS) are retried for any method.
   * @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']
   */
  methods?: string[]
  /**
   * Further failure kinds to retry for idempotent requests, e.g. `http_response_timeout`.
   * @default []
   */
  on?: FailureCode[]
  /**
   * Upstream statuses to retry for idempotent requests, e.g. `[502, 503, 504]`. Its `Retry-After`
   * sets the delay; beyond `maxDelay` or the deadline the response is passed through instead.
   * @default []
   */
  statusCodes?: number[]
  /**
   * Longest wait before a retry, in ms.
   * @default 2000
   */
  maxDelay?: number
  /**
   * Request bodies up to this many bytes are kept while they stream, so they can be replayed. A
   * larger body streams straight through and is not retried (never refused for its size). A body
   * declared (`Content-Length`) within 16 KiB is read whole before it is sent, so it can always be
   * replayed, whatever this limit.
   * @default 65536
   */
  bodyLimit?: number
  /** The retry budget (as Envoy's): retries in flight may not exceed it. */
  budget?: {
    /**
     * Retries in flight as a percentage of active requests.
     * @default 20
     */
    percent?: number
    /**
     * Retries in flight always allowed, however few requests are active.
     * @default 3
     */
    minConcurrency?: number
  }
}

/** Passive health: a target whose connects keep failing is ejected for a while. */
export interface CircuitOptions {
  /**
   * Consecutive failures to connect (refused, connect timeout, DNS) that open the circuit.
   * @default 5
   */
  failures?: number
  /**
   * How long an ejected target rests before one trial request, in ms; doubles after a failed trial.
   * @default 1000
   */
  halfOpenAfter?: number
  /**
   * The longest rest, in ms.
   * @default 30000
   */
  maxHalfOpenAfter?: number
  /**
   * Outlier detection on answers (opt-in, as Envoy's): this many consecutive 5xx answers eject a
   * target too, within `maxEjectionPercent`. `0`: answers never eject.
   * @default 0
   */
  consecutive5xx?: number
  /**
   * Most targets ejected at once for their answers, as a percentage of all; the last healthy target
   * is never ejected for answers alone.
   * @default 50
   */
  maxEjectionPercent?: number
}

/** Upgraded connections (WebSocket) in proxy mode. */
export interface UpgradeOptions {
  /**
   * Protocols besides `websocket` whose upgrades are proxied (tokens of the `Upgrade` field, e.g.
   * `['my-protocol']`). Never `h2c`: its `101` would hand the connection to a protocol the gateway
   * does not speak.
   * @default []
   */
  protocols?: string[]
  /**
   * Close an upgraded connection after this long without a byte in either direction, in ms.
   * @default false (WebSocket apps keep their connections alive with pings)
   */
  idle?: TimeoutMs
}

/** Active health checks: each target probed on its own timer. */
export interface HealthCheckOptions {
  /** The path probed with `GET` on every target (after its path prefix), e.g. `'/healthz'`. */
  path: string
  /**
   * Time between two probes of one target, in ms.
   * @default 10000
   */
  interval?: number
  /**
   * How long a probe may take, in ms.
   * @default 2000
   */
  timeout?: number
  /**
   * Statuses that count as healthy.
   * @default every 2xx and 3xx
   */
  healthyStatuses?: number[]
}

/**
 * OpenTelemetry metrics and traces, through `@opentelemetry/api` (an optional peer dependency,
 * loaded when the gateway is created; without it there is nothing to record and nothing is done).
 */
export interface TelemetryOptions {
  /**
   * Where the metrics go (`http.client.request.duration`, `http.client.active_requests` and the
   * gateway's own `gateway.*`), or `false` for none.
   * @default the global meter provider, looked up again on each event: an SDK registered after the
   * gateway was created is used from then on
   */
  meterProvider?: MeterProviderLike | false
  /**
   * Where the spans go (a CLIENT span per upstream attempt, whose W3C `traceparent` the upstream
   * gets), or `false` for none: then no span is made and the client's `traceparent` passes through
   * untouched.
   * @default the global tracer provider
   */
  tracerProvider?: TracerProviderLike | false
}

/**
 * What becomes of one `Set-Cookie` attribute (`Domain` or `Path`): a string sets every cookie's
 * attribute to it, `false` removes the attribute, and a record maps the upstream's value to the
 * client-facing one (`false` removes it; the key `'*'` is the fallback for values not listed, else
 * they are kept). Only attributes the cookie has are changed: a cookie without one is never given one.
 */
export type CookieAttributeRewrite = string | false | Record<string, string | false>

/**
 * Proxy mode: rewrite the `Domain` and `Path` of every `Set-Cookie` the upstream sends, in place (the
 * other attributes and their order kept). `__Host-` cookies are never changed.
 */
export interface CookieRewriteOptions {
  /**
   * The `Domain` attribute. Compared case-insensitively, a leading dot ignored (RFC 6265 §5.2.3).
   * @default undefined (kept)
   */
  domain?: CookieAttributeRewrite
  /**
   * The `Path` attribute. Compared exactly.
   * @default undefined (kept)
   */
  path?: CookieAttributeRewrite
}

/**
 * Guard mode's forward proxy, given explicitly: `http` for `http:` calls, `https` for `https:` calls
 * (each an `http:` or `https:` proxy URL, credentials allowed and sent to the proxy only; at least
 * one of the two), `noProxy` the hosts reached directly
 * (`NO_PROXY` syntax: comma-separated names, `.suffix` or `*.suffix` for subdomains, `host:port`,
 * `*` for all).
 */
export interface OutboundProxyOptions {
  /** @default undefined (`http:` calls go directly) */
  http?: string
  /** @default undefined (the `http` proxy when there is one, as undici does; else directly) */
  https?: string
  /** @default '' (every call goes through the proxy) */
  noProxy?: string
}

/**
 * What a target function is told of the request it routes: a read-only view, whose header record is
 * made only if the function reads it (a fresh one per request: changing it changes nothing).
 */
export interface TargetRequest {
  /** Request method, as received. */
  readonly method: string
  /**
   * Request-target after the mount path, with the query string, dot segments removed (the path the
   * upstream's is made from, before `rewritePath`): `/users?id=1`.
   */
  readonly url: string
  /** The request's headers: lower-case names, repeated fields as arrays. The `Host` is one valid field. */
  readonly headers: HeaderRecord
  /** The direct peer's address. */
  readonly remoteAddress: string | undefined
}

/**
 * Names the upstream of one request: an absolute `http:` or `https:` URL (optionally with a path
 * prefix; no credentials, query string, fragment, `.`/`..` segment or encoded slash). Retries go to
 * the same origin. Anything else, a throw or a rejection is the app's bug: the gateway answers 500
 * `proxy_internal_error`, `onError` gets the reason as the error's `cause`, a process warning names
 * the first one (`GATEWAY_TARGET_FUNCTION_FAILED`), and nothing is sent upstream.
 */
export type TargetFunction = (request: TargetRequest) => string | URL | Promise<string | URL>

/** What `rewriteResponseBody.rewrite` is told besides the body. */
export interface ResponseBodyContext {
  /** The upstream's status. */
  readonly status: number
  /**
   * The response headers as the client would get them unrewritten (hop-by-hop fields removed,
   * `rewriteResponseHeaders` applied), `Content-Encoding` among them: the gateway sets the framing
   * fields itself afterwards.
   */
  readonly headers: Readonly<HeaderRecord>
  /** The client's request: method, path after the mount path (with the query), header fields. */
  readonly request: {
    readonly method: string
    readonly url: string
    /** Lower-case names, repeated fields as arrays. */
    readonly headers: Readonly<HeaderRecord>
  }
}

/** Proxy mode: rewrite the bodies of responses of some media types (HTML, say) before the client gets them. */
export interface RewriteResponseBodyOptions {
  /**
   * Media types whose bodies are rewritten, matched exactly against the response's `Content-Type`
   * (lower-cased, parameters such as `charset` ignored): `'text/html'`, `'application/json'`, or a
   * whole top-level type as `'text/*'`. Never a substring match, and no wildcard for every type.
   */
  types: string[]
  /**
   * Make the body the client gets from the upstream's, decoded from `gzip`, `deflate` or `br` (a body
   * in another coding, such as `zstd`, passes through untouched). What it throws (or rejects with) is
   * the app's bug: the framework's 500, before anything was sent.
   */
  rewrite: (
    body: Buffer,
    context: ResponseBodyContext,
  ) => Buffer | Uint8Array | string | Promise<Buffer | Uint8Array | string>
  /**
   * Most bytes collected, before and after decoding: a larger body passes through untouched (and
   * still streams), told to the log and once as a process warning.
   * @default 1048576 (1 MiB)
   */
  limit?: number
}

/** A percentile of a target's recent latency, `'p50'` to `'p99'` (`hedge.delay`). */
export type HedgePercentile = `p${number}`

/** Options of `gatewayMiddleware()` in every framework. */
export interface GatewayOptions {
  /**
   * The upstream to forward to: an `http:` or `https:` URL, optionally with a path prefix, or a
   * list of them (balanced round robin over the healthy ones), or a {@link TargetFunction} that
   * names one per request (routing by host, path, header or tenant; its origins get pools on demand,
   * at most `limits.origins` of them). Without it the gateway runs in guard mode: it guards the
   * routes it wraps, handing each request a client for its upstream calls and turning upstream
   * failures into 502/504.
   */
  target?: string | URL | Array<string | URL> | TargetFunction
  /** Timeouts by phase, in ms; `false` turns one off. */
  timeout?: TimeoutOptions
  /**
   * Change the path sent upstream (after the mount path is stripped, before the target's path
   * prefix is joined). It can never change the target origin.
   */
  rewritePath?: (path: string) => string
  /**
   * Send the client's `Host` upstream instead of the target's.
   * @default false
   */
  preserveHost?: boolean
  /**
   * Forward `TRACE` requests. By default the gateway answers them itself with 405
   * `request_method_not_allowed` (cross-site tracing: an upstream that echoes the request would
   * show the client's cookies and credentials to a script; nginx refuses TRACE too).
   * @default false
   */
  allowTrace?: boolean
  /**
   * Proxy mode: add `Server-Timing` to forwarded responses and the gateway's own answers:
   * `upstream` (from the first attempt to the response headers, retries included), and for the last
   * attempt `connect` (pool wait and connect) and `ttfb` (request sent to the first response byte), so
   * a browser's developer tools show where the time went. It tells clients about internal latency:
   * off unless asked for.
   * @default false
   */
  serverTiming?: boolean
  /**
   * Which peers are trusted to send `X-Forwarded-*` and `Forwarded` (as Express's `trust proxy`):
   * `true` for all, addresses/CIDRs/`loopback`/`uniquelocal`, or a function. Untrusted values are
   * replaced, not appended to.
   * @default false
   */
  trustProxy?: boolean | string | string[] | ((address: string, hop: number) => boolean)
  /**
   * Name of this gateway in `Via` and `Proxy-Status` (an HTTP token).
   * @default 'gateway-middleware'
   */
  proxyName?: string
  /**
   * Proxy mode: rewrite the `Domain` and `Path` attributes of the upstream's `Set-Cookie` fields (see
   * {@link CookieRewriteOptions}), e.g. `{ domain: { 'api.internal': 'shop.example' }, path: { '/v1': '/api' } }`.
   * @default undefined (cookies pass byte-for-byte)
   */
  rewriteCookies?: CookieRewriteOptions
  /** Change the headers sent upstream; runs after the hop-by-hop rules, which then apply again. */
  rewriteRequestHeaders?: (headers: HeaderRecord, request: GatewayRequest) => HeaderRecord
  /** Change the headers sent to the client; runs after the hop-by-hop rules, which then apply again. */
  rewriteResponseHeaders?: (headers: HeaderRecord, request: GatewayRequest) => HeaderRecord
  /**
   * Proxy `Upgrade: websocket` requests (and the `protocols` listed) as upgraded connections; `false`
   * forwards them as plain requests (without `Upgrade`). Express and Koa need one line for it:
   * `server.on('upgrade', middleware.upgrade)`; Fastify nothing.
   * @default {} (WebSocket upgrades proxied)
   */
  upgrade?: UpgradeOptions | false
  /**
   * Most requests under way to one target (a target function's origin; in guard mode, one origin of
   * `req.gateway`'s calls) at a time (below `pool.connections`, which bounds it anyway); the rest wait in the gateway's queue (`timeout.queue`, `limits.queue`), then
   * get 503 `connection_limit_reached`. A fixed limit keeps an overloaded upstream working on what
   * it can finish instead of a queue of requests nobody waits for any more. `'adaptive'` finds and
   * keeps the limit by measuring (a gradient controller: once per window of answers, the window's
   * least latency against the target's no-load latency), between 2 and `pool.connections`,
   * starting at 10.
   * @default undefined (pool.connections is the limit)
   */
  concurrency?: number | 'adaptive'
  /**
   * Proxy mode: hedged requests for the slow tail. When a request of one of `methods` has no
   * response headers after `delay` ms, a second attempt goes out (to another target when there are
   * several) and whichever answers first is used; the other is cancelled at once. Hedges count
   * against the retry budget and never go with a body that cannot be replayed. Off unless configured.
   *
   * `delay` is in ms, or a percentile of the target's recent latency (time to response headers,
   * over its latest 128 answers), `'p50'` to `'p99'`: e.g. `'p95'` hedges the slowest twentieth.
   * A percentile is never under 10 ms, and a target is not hedged before its first 20 answers.
   * @default false
   */
  hedge?: { delay: number | HedgePercentile; methods?: string[] } | false
  /**
   * Proxy mode: rewrite response bodies of the media types listed (see {@link RewriteResponseBodyOptions}).
   * A rewritten body is sent whole, with its own `Content-Length`, without `Content-Encoding` (the
   * app's compression middleware may encode it again), with its `ETag` made weak and without
   * `Accept-Ranges`. `HEAD`, 204, 206, 304 and upgrade answers are never rewritten; other types stream
   * untouched. Off unless configured.
   * @default undefined (off)
   */
  rewriteResponseBody?: RewriteResponseBodyOptions
  /**
   * Proxy mode: forward a request body that a body parser mounted before the gateway already read.
   * The original bytes when the parser kept them (`@koa/bodyparser`'s `ctx.request.rawBody`; Express:
   * `req.rawBody`, set by the parsers' `verify` hook); else the parsed value serialised again by its
   * type (JSON; flat `application/x-www-form-urlencoded`), warned about once since bytes may differ.
   * Never a multipart body, and never one the parser rejected: those stay 500 `proxy_internal_error`,
   * as every consumed body is when this is off.
   * @default false
   */
  reserializeBody?: boolean
  /**
   * Offer HTTP/2 to `https:` upstreams (TLS ALPN: a server that picks `h2` gets HTTP/2, any other
   * HTTP/1.1), in proxy and guard mode. Timeouts, failures, retries and header rules are the same;
   * HTTP/2's own failures are in the failure table (a `REFUSED_STREAM` is retried for any method).
   * WebSocket and other upgrades still go over HTTP/1.1, on a pool of their own. `http:` targets stay
   * HTTP/1.1 (no h2c). Trailers are not forwarded.
   * @default false
   */
  http2?: boolean
  /** Upstream connection pool. */
  pool?: PoolOptions
  /** TLS to `https:` targets. */
  tls?: TlsOptions
  /** Limits on what clients send. */
  limits?: {
    /**
     * Most request body bytes accepted (proxy mode). A declared `Content-Length` over it gets 413
     * before the upstream is contacted; a chunked body crossing it aborts the upstream request and
     * gets 413 if nothing was sent to the client yet. `false`: no limit.
     * @default false
     */
    body?: number | false
    /**
     * Most requests waiting in the gateway's queue for one target; past it a request is answered 503
     * `connection_limit_reached` at once.
     * @default 1024
     */
    queue?: number
    /**
     * Most origins a target function's requests (or guard mode's calls) keep state for at a time: a
     * connection pool (proxy mode), passive health, the queue and concurrency limit. Past it the
     * least recently used origin without a request under way is forgotten and its idle pool closed.
     * Static targets are not counted.
     * @default 100
     */
    origins?: number
  }
  /**
   * How long `close()` lets in-flight upstream calls finish before it aborts them, in ms.
   * @default 10000
   */
  gracePeriod?: number
  /**
   * Retries; `false` turns them off.
   * @default {} (on: see {@link RetryOptions} for each field's default)
   */
  retry?: RetryOptions | false
  /**
   * Proxy mode: probe each target on its own timer (staggered, through the same pool and TLS, with no
   * client headers); one that fails is out of the rotation, before any request fails on it, until
   * a probe passes again. Off unless configured.
   * @default false
   */
  healthCheck?: HealthCheckOptions | false
  /**
   * Passive health of each target; `false` turns it off.
   * @default {} (on: see {@link CircuitOptions} for each field's default)
   */
  circuit?: CircuitOptions | false
  /** Told before every retry (for logs and metrics); must not throw. */
  onRetry?: (context: RetryContext) => void
  /**
   * Custom pages for the 502/503/504 answers the gateway generates (upstream error responses pass
   * through unchanged), and the default type when `Accept` does not choose.
   * @default {} (the built-in pages: HTML, problem+json, JSON or text as negotiated)
   */
  errorPages?: ErrorPages
  /**
   * Where the gateway writes its records (pino's shape: `error`/`warn`/`info`/`debug` with
   * `(object, message)`): one per answer it generated, per connection cut after headers, per retry,
   * ejection and restoration, and a `debug` record per client that left. Never header values, bodies,
   * query strings, cookies or credentials. Fastify: the app's logger unless given, each request's
   * records through its `request.log` (with the app's `reqId` binding).
   * @default undefined (silent; Fastify: `request.log`, and `fastify.log` for ejections and restorations)
   */
  logger?: GatewayLogger
  /**
   * OpenTelemetry metrics and traces (see {@link TelemetryOptions}); `false` turns both off, and then
   * nothing per request changes. Spans and the upstream's `traceparent` use the global propagator and
   * context manager (the SDK's registration sets both).
   * @default {} (the global meter and tracer providers: an app that registered the SDK gets them, one
   * that did not records nothing)
   */
  telemetry?: TelemetryOptions | false
  /**
   * Guard mode: send the routes' upstream calls (`request()` and `fetch()`) through a forward proxy.
   * `'env'` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (lower-case names first) once at setup;
   * a URL sends every call through that proxy; {@link OutboundProxyOptions} names each explicitly.
   * `https:` calls are tunnelled with `CONNECT` (the `tls` options apply to the target inside it),
   * `http:` calls sent in absolute form, as curl does. Failures at the proxy answer as at a target
   * (refused: 502 `connection_refused`) with `Proxy-Status: …; next-hop=outbound-proxy`, never its
   * address; a proxy refusing to carry a call (a `CONNECT` answered non-200, a 407) is
   * `connection_refused` with `received-status` (its 504: `connection_timeout`). Proxy mode does not
   * take it: a reverse proxy's targets are its own services.
   * @default false (calls go directly; `HTTP_PROXY` and the rest are not read)
   */
  outboundProxy?: 'env' | string | OutboundProxyOptions | false
  /** Told of every upstream failure (for logs and metrics); must not throw. */
  onError?: (error: GatewayError, context: FailureContext) => void
  /**
   * Guard mode: override the decision whether an error a route raised is an upstream failure.
   * Return a failure code (or a `GatewayError`) to answer as that failure, `false` for "not an
   * upstream failure" (the framework's 500), or `undefined` to keep the built-in decision, which
   * is passed in.
   */
  classifyError?: (error: unknown, decision: GatewayError | undefined) => GatewayError | FailureCode | false | undefined
}
