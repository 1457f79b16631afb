import proxyAddr from 'proxy-addr'
import { type ResolvedErrorPages, resolveErrorPages } from '../error-pages/resolveErrorPages.js'
import { type FailureCode, isFailureCode } from '../errors/failures.js'
import { optionError } from '../errors/optionError.js'
import type { MeterProviderLike, ResolvedTelemetry, TracerProviderLike } from '../observe/TelemetryProviders.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import {
  DEFAULT_ADAPTIVE_INITIAL_LIMIT,
  DEFAULT_ADAPTIVE_MIN_LIMIT,
  DEFAULT_ALLOW_TRACE,
  DEFAULT_CIRCUIT_FAILURES,
  DEFAULT_CIRCUIT_HALF_OPEN_AFTER_MS,
  DEFAULT_CIRCUIT_MAX_EJECTION_PERCENT,
  DEFAULT_CIRCUIT_MAX_HALF_OPEN_AFTER_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONNECTIONS,
  DEFAULT_GRACE_PERIOD_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HEALTH_CHECK_INTERVAL_MS,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_HEDGE_METHODS,
  DEFAULT_HTTP2,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_ORIGIN_LIMIT,
  DEFAULT_OUTBOUND_PROXY,
  DEFAULT_PROXY_NAME,
  DEFAULT_QUEUE_LIMIT,
  DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_RESERIALIZE_BODY,
  DEFAULT_RETRY_BODY_LIMIT,
  DEFAULT_RETRY_BUDGET_MIN_CONCURRENCY,
  DEFAULT_RETRY_BUDGET_PERCENT,
  DEFAULT_RETRY_LIMIT,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_RETRY_METHODS,
  DEFAULT_REWRITE_BODY_LIMIT,
  DEFAULT_SERVER_TIMING,
  DEFAULT_TOTAL_TIMEOUT_MS,
  DEFAULT_UPGRADE_PROTOCOLS,
} from './defaults.js'
import type {
  CircuitOptions,
  GatewayOptions,
  HealthCheckOptions,
  PoolOptions,
  RetryOptions,
  RewriteResponseBodyOptions,
  TargetFunction,
  TelemetryOptions,
  TimeoutOptions,
  TlsOptions,
  UpgradeOptions,
} from './options.js'
import { type ResolvedOutboundProxy, resolveOutboundProxy } from './resolveOutboundProxy.js'
import { type ResolvedCookieRewrite, resolveRewriteCookies } from './resolveRewriteCookies.js'
import { targetBasePath, targetProblem } from './targetProblem.js'

/** A target, parsed once. */
export interface ResolvedTarget {
  /** `http://host:port`, as WHATWG URL spells it. */
  readonly origin: string
  /** The target's path prefix without a trailing slash (`''` for none). */
  readonly basePath: string
  readonly url: URL
}

/** The retry policy, resolved. */
export interface ResolvedRetry {
  readonly limit: number
  readonly methods: ReadonlySet<string>
  readonly on: ReadonlySet<FailureCode>
  readonly statusCodes: ReadonlySet<number>
  readonly maxDelay: number
  readonly bodyLimit: number
  readonly budgetPercent: number
  readonly budgetMinConcurrency: number
}

/** The circuit settings, resolved. */
export interface ResolvedCircuit {
  readonly failures: number
  readonly halfOpenAfter: number
  readonly maxHalfOpenAfter: number
  /** Consecutive 5xx answers that eject a target (`0`: answers never eject). */
  readonly consecutive5xx: number
  /** Most targets ejected at once for answers, as a percentage of all. */
  readonly maxEjectionPercent: number
}

/** `rewriteResponseBody`, resolved. */
export interface ResolvedRewriteBody {
  /** Exact `type/subtype` names, lower case. */
  readonly types: ReadonlySet<string>
  /** Top-level types listed as `type/*`, lower case. */
  readonly wildcards: ReadonlySet<string>
  readonly rewrite: RewriteResponseBodyOptions['rewrite']
  /** Most bytes collected, before and after decoding. */
  readonly limit: number
}

/** Options after defaults, validation and parsing; the request path reads only these. */
export interface ResolvedOptions {
  /** The static proxy targets; empty in guard mode and with a target function. */
  readonly targets: readonly ResolvedTarget[]
  /** `target` as a function, naming each request's origin; `undefined` for static targets and in guard mode. */
  readonly targetFunction: TargetFunction | undefined
  /** Most origins kept at a time for a target function's requests or guard mode's calls (`limits.origins`). */
  readonly originLimit: number
  /** Timeouts in ms; `0` means off. */
  readonly timeout: {
    readonly connect: number
    readonly queue: number
    readonly headers: number
    readonly idle: number
    readonly total: number
  }
  readonly rewritePath: GatewayOptions['rewritePath']
  readonly preserveHost: boolean
  /** Whether `TRACE` is forwarded; refused with 405 when not. */
  readonly allowTrace: boolean
  /** Add `Server-Timing` to answers. */
  readonly serverTiming: boolean
  /** Whether the direct peer is trusted to send `X-Forwarded-*`; `undefined` when nobody is. */
  readonly trust: ((address: string, hop: number) => boolean) | undefined
  readonly proxyName: string
  readonly rewriteRequestHeaders: GatewayOptions['rewriteRequestHeaders']
  readonly rewriteResponseHeaders: GatewayOptions['rewriteResponseHeaders']
  /** `Set-Cookie` `Domain`/`Path` rewriting; `undefined`: cookies pass untouched. */
  readonly rewriteCookies: ResolvedCookieRewrite | undefined
  readonly pool: { readonly connections: number; readonly keepAliveTimeout: number }
  /** Offer HTTP/2 to `https:` upstreams (undici's `allowH2`). */
  readonly http2: boolean
  readonly tls: Readonly<TlsOptions> & { readonly rejectUnauthorized: boolean }
  readonly onError: GatewayOptions['onError']
  readonly classifyError: GatewayOptions['classifyError']
  /** `undefined` when retries are off. */
  readonly retry: ResolvedRetry | undefined
  /** `undefined` when passive health is off. */
  readonly circuit: ResolvedCircuit | undefined
  readonly onRetry: GatewayOptions['onRetry']
  /** Custom error pages, compiled; the offered types, the default first. */
  readonly errorPages: ResolvedErrorPages
  /** Most request body bytes accepted (`Infinity`: no limit). */
  readonly bodyLimit: number
  /** How long `close()` lets in-flight calls finish, in ms. */
  readonly gracePeriod: number
  /** `undefined` when upgrades are not proxied. */
  readonly upgrade: ResolvedUpgrade | undefined
  /** `undefined`: silent. */
  readonly logger: GatewayLogger | undefined
  /** `undefined` when targets are not probed. */
  readonly healthCheck: ResolvedHealthCheck | undefined
  /** Most requests under way to one target at a time: `concurrency`, bounded by `pool.connections`. */
  readonly concurrency: number
  /** Most requests waiting in the queue for one target. */
  readonly queueLimit: number
  /**
   * Hedged requests: after how long (`delay` ms, or `percentile` of the target's recent latency: one
   * of the two is set), for which methods; `undefined`: off.
   */
  readonly hedge:
    | {
        readonly delay: number | undefined
        readonly percentile: number | undefined
        readonly methods: ReadonlySet<string>
      }
    | undefined
  /** `concurrency: 'adaptive'`: its bounds and start; `undefined` for a fixed limit. */
  readonly adaptive: AdaptiveLimitSettings | undefined
  /** `undefined`: neither metrics nor traces. */
  readonly telemetry: ResolvedTelemetry | undefined
  /** Guard mode's forward proxy, read once at setup; `undefined`: calls go directly. */
  readonly outboundProxy: ResolvedOutboundProxy | undefined
  /** `undefined`: response bodies are never rewritten. */
  readonly rewriteResponseBody: ResolvedRewriteBody | undefined
  /** Forward a body a parser already read (else it is refused with 500). */
  readonly reserializeBody: boolean
}

/** The bounds and the start of an adaptive limit. */
export interface AdaptiveLimitSettings {
  readonly initial: number
  readonly min: number
  readonly max: number
}

/** The health check settings, resolved. */
export interface ResolvedHealthCheck {
  /** The path probed, starting with `/` (the target's prefix is joined per target). */
  readonly path: string
  readonly interval: number
  readonly timeout: number
  /** `undefined`: every 2xx and 3xx. */
  readonly healthyStatuses: ReadonlySet<number> | undefined
}

/** The upgrade settings, resolved. */
export interface ResolvedUpgrade {
  /** Lower-case protocol tokens proxied, `websocket` among them. */
  readonly protocols: ReadonlySet<string>
  /** Idle timeout of an upgraded connection in ms (`0`: none). */
  readonly idle: number
}

const TOP_KEYS = [
  'target',
  'timeout',
  'rewritePath',
  'preserveHost',
  'allowTrace',
  'serverTiming',
  'healthCheck',
  'concurrency',
  'hedge',
  'trustProxy',
  'proxyName',
  'rewriteRequestHeaders',
  'rewriteResponseHeaders',
  'rewriteCookies',
  'pool',
  'http2',
  'tls',
  'onError',
  'classifyError',
  'retry',
  'circuit',
  'onRetry',
  'errorPages',
  'limits',
  'gracePeriod',
  'upgrade',
  'logger',
  'telemetry',
  'outboundProxy',
  'rewriteResponseBody',
  'reserializeBody',
] as const satisfies readonly (keyof GatewayOptions)[]
const REWRITE_BODY_KEYS = ['types', 'rewrite', 'limit'] as const satisfies readonly (keyof RewriteResponseBodyOptions)[]
const TELEMETRY_KEYS = ['meterProvider', 'tracerProvider'] as const satisfies readonly (keyof TelemetryOptions)[]
const LIMITS_KEYS = ['body', 'queue', 'origins'] as const satisfies readonly (keyof NonNullable<
  GatewayOptions['limits']
>)[]
const RETRY_KEYS = [
  'limit',
  'methods',
  'on',
  'statusCodes',
  'maxDelay',
  'bodyLimit',
  'budget',
] as const satisfies readonly (keyof RetryOptions)[]
const BUDGET_KEYS = ['percent', 'minConcurrency'] as const satisfies readonly (keyof NonNullable<
  RetryOptions['budget']
>)[]
const CIRCUIT_KEYS = [
  'failures',
  'halfOpenAfter',
  'maxHalfOpenAfter',
  'consecutive5xx',
  'maxEjectionPercent',
] as const satisfies readonly (keyof CircuitOptions)[]
/** Options that only mean something when proxying to a target. */
const PROXY_ONLY = [
  'rewritePath',
  'preserveHost',
  'allowTrace',
  'serverTiming',
  'healthCheck',
  'hedge',
  'trustProxy',
  'rewriteRequestHeaders',
  'rewriteResponseHeaders',
  'rewriteCookies',
  'upgrade',
  'rewriteResponseBody',
  'reserializeBody',
] as const satisfies readonly (keyof GatewayOptions)[]
const UPGRADE_KEYS = ['protocols', 'idle'] as const satisfies readonly (keyof UpgradeOptions)[]
const TIMEOUT_KEYS = [
  'connect',
  'queue',
  'headers',
  'idle',
  'total',
] as const satisfies readonly (keyof TimeoutOptions)[]
const POOL_KEYS = ['connections', 'keepAliveTimeout'] as const satisfies readonly (keyof PoolOptions)[]
const TLS_KEYS = [
  'ca',
  'cert',
  'key',
  'servername',
  'rejectUnauthorized',
] as const satisfies readonly (keyof TlsOptions)[]
/** An HTTP token that is also an RFC 8941 sf-token, so it fits both `Via` and `Proxy-Status`. */
const PROXY_NAME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/

/**
 * Fill defaults, validate and freeze the options, once at setup. Throws a `TypeError` naming the
 * option, what it expected and what it got.
 */
export function resolveOptions(options: GatewayOptions | undefined): ResolvedOptions {
  const input = plainObject(options ?? {}, 'options')
  checkKeys(input, TOP_KEYS, '')
  const timeout = plainObject(input.timeout ?? {}, 'timeout')
  checkKeys(timeout, TIMEOUT_KEYS, 'timeout.')
  const pool = plainObject(input.pool ?? {}, 'pool')
  checkKeys(pool, POOL_KEYS, 'pool.')
  const tls = plainObject(input.tls ?? {}, 'tls')
  checkKeys(tls, TLS_KEYS, 'tls.')
  if (input.target === undefined) {
    for (const key of PROXY_ONLY) {
      if (input[key] !== undefined)
        fail(key, 'a target to proxy to (without target the gateway guards routes)', input[key])
    }
  } else if (input.outboundProxy !== undefined && input.outboundProxy !== false) {
    // a reverse proxy's targets are its own services: reached directly, as its health checks are
    // (not the value itself: a proxy URL may carry credentials)
    fail('outboundProxy', 'guard mode (no target): proxy mode connects to its targets directly', 'a proxy setting')
  }

  const targetFunction = typeof input.target === 'function' ? (input.target as TargetFunction) : undefined
  if (targetFunction !== undefined && input.healthCheck !== undefined && input.healthCheck !== false) {
    fail(
      'healthCheck',
      "static targets to probe (a target function's origins get passive health, not health checks)",
      input.healthCheck,
    )
  }

  const limits = input.limits as { origins?: unknown } | undefined
  if (input.target !== undefined && targetFunction === undefined && limits?.origins !== undefined) {
    fail('limits.origins', 'a target function or guard mode (each static target has its own pool)', limits.origins)
  }

  const targets = targetFunction === undefined ? resolveTargets(input.target) : Object.freeze([])
  return Object.freeze({
    targets,
    targetFunction,
    originLimit: resolveOriginLimit(input.limits),
    timeout: Object.freeze({
      connect: timeoutMs(timeout.connect, 'timeout.connect', DEFAULT_CONNECT_TIMEOUT_MS),
      queue: timeoutMs(timeout.queue, 'timeout.queue', DEFAULT_QUEUE_TIMEOUT_MS),
      headers: timeoutMs(timeout.headers, 'timeout.headers', DEFAULT_HEADERS_TIMEOUT_MS),
      idle: timeoutMs(timeout.idle, 'timeout.idle', DEFAULT_IDLE_TIMEOUT_MS),
      total: timeoutMs(timeout.total, 'timeout.total', DEFAULT_TOTAL_TIMEOUT_MS),
    }),
    rewritePath: optionalFunction(input.rewritePath, 'rewritePath') as GatewayOptions['rewritePath'],
    preserveHost: optionalBoolean(input.preserveHost, 'preserveHost', false),
    allowTrace: optionalBoolean(input.allowTrace, 'allowTrace', DEFAULT_ALLOW_TRACE),
    serverTiming: optionalBoolean(input.serverTiming, 'serverTiming', DEFAULT_SERVER_TIMING),
    trust: resolveTrust(input.trustProxy),
    proxyName: resolveProxyName(input.proxyName),
    rewriteRequestHeaders: optionalFunction(
      input.rewriteRequestHeaders,
      'rewriteRequestHeaders',
    ) as GatewayOptions['rewriteRequestHeaders'],
    rewriteResponseHeaders: optionalFunction(
      input.rewriteResponseHeaders,
      'rewriteResponseHeaders',
    ) as GatewayOptions['rewriteResponseHeaders'],
    rewriteCookies: resolveRewriteCookies(input.rewriteCookies),
    pool: Object.freeze({
      connections: positiveInteger(pool.connections, 'pool.connections', DEFAULT_CONNECTIONS),
      keepAliveTimeout: positiveInteger(pool.keepAliveTimeout, 'pool.keepAliveTimeout', DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
    }),
    http2: resolveHttp2(input.http2, targets),
    tls: resolveTls(tls),
    onError: optionalFunction(input.onError, 'onError') as GatewayOptions['onError'],
    classifyError: optionalFunction(input.classifyError, 'classifyError') as GatewayOptions['classifyError'],
    retry: resolveRetry(input.retry),
    circuit: resolveCircuit(input.circuit),
    onRetry: optionalFunction(input.onRetry, 'onRetry') as GatewayOptions['onRetry'],
    errorPages: resolveErrorPages(input.errorPages),
    bodyLimit: resolveBodyLimit(input.limits),
    gracePeriod: nonNegativeInteger(input.gracePeriod, 'gracePeriod', DEFAULT_GRACE_PERIOD_MS),
    upgrade: resolveUpgrade(input.upgrade),
    logger: resolveLogger(input.logger),
    healthCheck: resolveHealthCheck(input.healthCheck),
    concurrency: Math.min(
      input.concurrency === 'adaptive'
        ? Number.MAX_SAFE_INTEGER
        : positiveInteger(input.concurrency, 'concurrency', Number.MAX_SAFE_INTEGER),
      positiveInteger(pool.connections, 'pool.connections', DEFAULT_CONNECTIONS),
    ),
    adaptive:
      input.concurrency === 'adaptive'
        ? Object.freeze({
            initial: DEFAULT_ADAPTIVE_INITIAL_LIMIT,
            min: DEFAULT_ADAPTIVE_MIN_LIMIT,
            max: positiveInteger(pool.connections, 'pool.connections', DEFAULT_CONNECTIONS),
          })
        : undefined,
    queueLimit: resolveQueueLimit(input.limits),
    hedge: resolveHedge(input.hedge),
    telemetry: resolveTelemetry(input.telemetry),
    outboundProxy: resolveOutboundProxy(input.outboundProxy ?? DEFAULT_OUTBOUND_PROXY),
    rewriteResponseBody: resolveRewriteBody(input.rewriteResponseBody),
    reserializeBody: optionalBoolean(input.reserializeBody, 'reserializeBody', DEFAULT_RESERIALIZE_BODY),
  })
}

/** A media type (`type/subtype`) or a top-level type's wildcard (`type/*`), as RFC 9110 §8.3.1 spells them. */
const MEDIA_RANGE = /^([A-Za-z0-9!#$&^_.+-]+)\/(\*|[A-Za-z0-9!#$&^_.+-]+)$/

function resolveRewriteBody(value: unknown): ResolvedRewriteBody | undefined {
  if (value === undefined) return undefined
  const rewrite = plainObject(value, 'rewriteResponseBody')
  checkKeys(rewrite, REWRITE_BODY_KEYS, 'rewriteResponseBody.')
  const list = rewrite.types
  const expected = "a non-empty list of media types such as ['text/html', 'application/json'] (or 'text/*')"
  if (!Array.isArray(list) || list.length === 0) fail('rewriteResponseBody.types', expected, list)
  const types = new Set<string>()
  const wildcards = new Set<string>()
  for (const [i, entry] of list.entries()) {
    const match = typeof entry === 'string' ? MEDIA_RANGE.exec(entry.trim()) : null
    if (match === null)
      fail(`rewriteResponseBody.types[${i}]`, "a media type such as 'text/html' (no parameters)", entry)
    const [, type, subtype] = match as RegExpExecArray
    if (subtype === '*') wildcards.add((type as string).toLowerCase())
    else types.add(`${type}/${subtype}`.toLowerCase())
  }
  if (typeof rewrite.rewrite !== 'function') fail('rewriteResponseBody.rewrite', 'a function', rewrite.rewrite)
  return Object.freeze({
    types,
    wildcards,
    rewrite: rewrite.rewrite as RewriteResponseBodyOptions['rewrite'],
    limit: positiveInteger(rewrite.limit, 'rewriteResponseBody.limit', DEFAULT_REWRITE_BODY_LIMIT),
  })
}

function resolveHttp2(value: unknown, targets: readonly ResolvedTarget[]): boolean {
  const http2 = optionalBoolean(value, 'http2', DEFAULT_HTTP2)
  // guard mode calls any origin; a proxy whose targets are all http: would never negotiate HTTP/2
  if (http2 && targets.length > 0 && !targets.some((t) => t.url.protocol === 'https:')) {
    fail('http2', 'an https: target to negotiate HTTP/2 with (ALPN; h2c, HTTP/2 without TLS, is not offered)', value)
  }
  return http2
}

function resolveTargets(value: unknown): readonly ResolvedTarget[] {
  if (value === undefined) return Object.freeze([])
  if (!Array.isArray(value)) return Object.freeze([resolveTarget(value, 'target')])
  if (value.length === 0) fail('target', 'at least one URL', value)
  return Object.freeze(value.map((entry, i) => resolveTarget(entry, `target[${i}]`)))
}

function resolveRetry(value: unknown): ResolvedRetry | undefined {
  if (value === false) return undefined
  const retry = plainObject(value ?? {}, 'retry')
  checkKeys(retry, RETRY_KEYS, 'retry.')
  const budget = plainObject(retry.budget ?? {}, 'retry.budget')
  checkKeys(budget, BUDGET_KEYS, 'retry.budget.')
  const methods = retry.methods ?? DEFAULT_RETRY_METHODS
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))) {
    fail('retry.methods', "a list of HTTP methods such as ['GET', 'PUT']", methods)
  }
  const on = retry.on ?? []
  if (!Array.isArray(on) || on.some((code) => !isFailureCode(code))) {
    fail('retry.on', "a list of failure kinds such as ['http_response_timeout']", on)
  }
  const statusCodes = retry.statusCodes ?? []
  if (!Array.isArray(statusCodes) || statusCodes.some((c) => !Number.isInteger(c) || c < 400 || c > 599)) {
    fail('retry.statusCodes', 'a list of 4xx/5xx statuses such as [502, 503, 504]', statusCodes)
  }
  const percent = budget.percent ?? DEFAULT_RETRY_BUDGET_PERCENT
  if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) {
    fail('retry.budget.percent', 'a percentage from 0 to 100', percent)
  }
  return Object.freeze({
    limit: nonNegativeInteger(retry.limit, 'retry.limit', DEFAULT_RETRY_LIMIT),
    methods: new Set((methods as string[]).map((m) => m.toUpperCase())),
    on: new Set(on as FailureCode[]),
    statusCodes: new Set(statusCodes as number[]),
    maxDelay: positiveInteger(retry.maxDelay, 'retry.maxDelay', DEFAULT_RETRY_MAX_DELAY_MS),
    bodyLimit: nonNegativeInteger(retry.bodyLimit, 'retry.bodyLimit', DEFAULT_RETRY_BODY_LIMIT),
    budgetPercent: percent,
    budgetMinConcurrency: nonNegativeInteger(
      budget.minConcurrency,
      'retry.budget.minConcurrency',
      DEFAULT_RETRY_BUDGET_MIN_CONCURRENCY,
    ),
  })
}

const HEALTH_CHECK_KEYS = [
  'path',
  'interval',
  'timeout',
  'healthyStatuses',
] as const satisfies readonly (keyof HealthCheckOptions)[]

function resolveHealthCheck(value: unknown): ResolvedHealthCheck | undefined {
  if (value === undefined || value === false) return undefined
  const check = plainObject(value, 'healthCheck')
  checkKeys(check, HEALTH_CHECK_KEYS, 'healthCheck.')
  if (typeof check.path !== 'string' || !check.path.startsWith('/') || /[\s?#]/.test(check.path)) {
    fail('healthCheck.path', "a path such as '/healthz' (no query string)", check.path)
  }
  const statuses = check.healthyStatuses
  if (
    statuses !== undefined &&
    (!Array.isArray(statuses) ||
      statuses.length === 0 ||
      statuses.some((c) => !Number.isInteger(c) || c < 100 || c > 599))
  ) {
    fail('healthCheck.healthyStatuses', 'a list of statuses such as [200, 204]', statuses)
  }
  return Object.freeze({
    path: check.path,
    interval: positiveInteger(check.interval, 'healthCheck.interval', DEFAULT_HEALTH_CHECK_INTERVAL_MS),
    timeout: positiveInteger(check.timeout, 'healthCheck.timeout', DEFAULT_HEALTH_CHECK_TIMEOUT_MS),
    healthyStatuses: statuses === undefined ? undefined : new Set(statuses as number[]),
  })
}

const LOGGER_METHODS = ['error', 'warn', 'info', 'debug'] as const satisfies readonly (keyof GatewayLogger)[]

function resolveLogger(value: unknown): GatewayLogger | undefined {
  if (value === undefined) return undefined
  const logger = value as Record<string, unknown> | null
  if (typeof logger !== 'object' || logger === null || LOGGER_METHODS.some((m) => typeof logger[m] !== 'function')) {
    fail('logger', "a logger with error, warn, info and debug methods (pino, Fastify's request.log)", value)
  }
  return value as GatewayLogger
}

function resolveTelemetry(value: unknown): ResolvedTelemetry | undefined {
  if (value === false) return undefined
  const telemetry = plainObject(value ?? {}, 'telemetry')
  checkKeys(telemetry, TELEMETRY_KEYS, 'telemetry.')
  const provider = <T>(option: unknown, name: string, method: string): T | false | undefined => {
    if (option === undefined || option === false) return option
    if (
      typeof option !== 'object' ||
      option === null ||
      typeof (option as Record<string, unknown>)[method] !== 'function'
    ) {
      fail(
        `telemetry.${name}`,
        `an OpenTelemetry ${name[0]?.toUpperCase()}${name.slice(1)} (with ${method}()), or false`,
        option,
      )
    }
    return option as T
  }
  const meterProvider = provider<MeterProviderLike>(telemetry.meterProvider, 'meterProvider', 'getMeter')
  const tracerProvider = provider<TracerProviderLike>(telemetry.tracerProvider, 'tracerProvider', 'getTracer')
  if (meterProvider === false && tracerProvider === false) return undefined
  return Object.freeze({
    metrics: meterProvider !== false,
    meterProvider: meterProvider === false ? undefined : meterProvider,
    traces: tracerProvider !== false,
    tracerProvider: tracerProvider === false ? undefined : tracerProvider,
  })
}

/** An HTTP token (RFC 9110 §5.6.2), as protocol names in `Upgrade` are. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

function resolveUpgrade(value: unknown): ResolvedUpgrade | undefined {
  if (value === false) return undefined
  const upgrade = plainObject(value ?? {}, 'upgrade')
  checkKeys(upgrade, UPGRADE_KEYS, 'upgrade.')
  const protocols = upgrade.protocols ?? []
  if (!Array.isArray(protocols) || protocols.some((p) => typeof p !== 'string' || !TOKEN.test(p))) {
    fail('upgrade.protocols', "a list of protocol tokens such as ['my-protocol']", protocols)
  }
  const names = (protocols as string[]).map((p) => p.toLowerCase())
  if (names.includes('h2c')) {
    fail('upgrade.protocols', 'protocols other than h2c (the gateway does not speak HTTP/2 after a 101)', protocols)
  }
  return Object.freeze({
    protocols: new Set([...DEFAULT_UPGRADE_PROTOCOLS, ...names]),
    idle: timeoutMs(upgrade.idle ?? false, 'upgrade.idle', 0),
  })
}

function resolveHedge(value: unknown): ResolvedOptions['hedge'] {
  if (value === undefined || value === false) return undefined
  const hedge = plainObject(value, 'hedge')
  checkKeys(hedge, ['delay', 'methods'], 'hedge.')
  const methods = hedge.methods ?? DEFAULT_HEDGE_METHODS
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))) {
    fail('hedge.methods', "a list of HTTP methods such as ['GET']", methods)
  }
  const percentile = typeof hedge.delay === 'string' ? /^p([5-9][0-9])$/.exec(hedge.delay)?.[1] : undefined
  if (
    percentile === undefined &&
    (typeof hedge.delay !== 'number' || !Number.isInteger(hedge.delay) || hedge.delay <= 0)
  ) {
    fail(
      'hedge.delay',
      "a positive integer of milliseconds, or a percentile of recent latency from 'p50' to 'p99'",
      hedge.delay,
    )
  }
  return Object.freeze({
    delay: percentile === undefined ? (hedge.delay as number) : undefined,
    percentile: percentile === undefined ? undefined : Number(percentile),
    methods: new Set((methods as string[]).map((m) => m.toUpperCase())),
  })
}

function resolveOriginLimit(value: unknown): number {
  const limits = plainObject(value ?? {}, 'limits')
  return positiveInteger(limits.origins, 'limits.origins', DEFAULT_ORIGIN_LIMIT)
}

function resolveQueueLimit(value: unknown): number {
  const limits = plainObject(value ?? {}, 'limits')
  return nonNegativeInteger(limits.queue, 'limits.queue', DEFAULT_QUEUE_LIMIT)
}

function resolveBodyLimit(value: unknown): number {
  const limits = plainObject(value ?? {}, 'limits')
  checkKeys(limits, LIMITS_KEYS, 'limits.')
  if (limits.body === undefined || limits.body === false) return Number.POSITIVE_INFINITY
  return positiveInteger(limits.body, 'limits.body', 0)
}

function resolveCircuit(value: unknown): ResolvedCircuit | undefined {
  if (value === false) return undefined
  const circuit = plainObject(value ?? {}, 'circuit')
  checkKeys(circuit, CIRCUIT_KEYS, 'circuit.')
  const halfOpenAfter = positiveInteger(
    circuit.halfOpenAfter,
    'circuit.halfOpenAfter',
    DEFAULT_CIRCUIT_HALF_OPEN_AFTER_MS,
  )
  const maxHalfOpenAfter = positiveInteger(
    circuit.maxHalfOpenAfter,
    'circuit.maxHalfOpenAfter',
    Math.max(DEFAULT_CIRCUIT_MAX_HALF_OPEN_AFTER_MS, halfOpenAfter),
  )
  if (maxHalfOpenAfter < halfOpenAfter) {
    fail('circuit.maxHalfOpenAfter', `at least circuit.halfOpenAfter (${halfOpenAfter})`, maxHalfOpenAfter)
  }
  return Object.freeze({
    failures: positiveInteger(circuit.failures, 'circuit.failures', DEFAULT_CIRCUIT_FAILURES),
    halfOpenAfter,
    maxHalfOpenAfter,
    consecutive5xx: nonNegativeInteger(circuit.consecutive5xx, 'circuit.consecutive5xx', 0),
    maxEjectionPercent: percentage(
      circuit.maxEjectionPercent,
      'circuit.maxEjectionPercent',
      DEFAULT_CIRCUIT_MAX_EJECTION_PERCENT,
    ),
  })
}

function percentage(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value <= 100)) fail(name, 'a percentage from 0 to 100', value)
  return value
}

function nonNegativeInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(name, 'a whole number ≥ 0', value)
  return value
}

function resolveTarget(value: unknown, name: string): ResolvedTarget {
  const expected = "an http: or https: URL such as 'http://127.0.0.1:4000'"
  if (typeof value !== 'string' && !(value instanceof URL)) fail(name, expected, value)
  let url: URL
  try {
    url = new URL(String(value))
  } catch {
    fail(name, expected, value)
  }
  const problem = targetProblem(url)
  if (problem !== undefined) fail(name, problem, value)
  return Object.freeze({ origin: url.origin, basePath: targetBasePath(url), url })
}

function timeoutMs(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (value === false) return 0
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(name, 'a positive number of milliseconds, or false to turn it off', value)
  }
  // Node timers hold at most a 32-bit signed number of ms
  if (value > 2_147_483_647) fail(name, 'at most 2147483647 ms (about 24.8 days)', value)
  return value
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(name, 'a positive integer', value)
  return value
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(name, 'true or false', value)
  return value
}

function optionalFunction(value: unknown, name: string): unknown {
  if (value !== undefined && typeof value !== 'function') fail(name, 'a function', value)
  return value
}

function resolveTrust(value: unknown): ResolvedOptions['trust'] {
  if (value === undefined || value === false) return undefined
  if (value === true) return () => true
  if (typeof value === 'function') return value as (address: string, hop: number) => boolean
  const list = typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : value
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    fail('trustProxy', "true, false, an address/CIDR list such as ['loopback', '10.0.0.0/8'], or a function", value)
  }
  try {
    return proxyAddr.compile(list as string[])
  } catch (error) {
    fail('trustProxy', `addresses or CIDRs (${(error as Error).message})`, value)
  }
}

function resolveProxyName(value: unknown): string {
  if (value === undefined) return DEFAULT_PROXY_NAME
  if (typeof value !== 'string' || !PROXY_NAME.test(value)) {
    fail('proxyName', "an HTTP token starting with a letter, such as 'edge-gateway'", value)
  }
  return value
}

function resolveTls(tls: Record<string, unknown>): ResolvedOptions['tls'] {
  const pem = (value: unknown, name: string) => {
    if (value !== undefined && typeof value !== 'string' && !Buffer.isBuffer(value)) {
      fail(name, 'a PEM string or Buffer', value)
    }
  }
  if (Array.isArray(tls.ca)) {
    for (const [i, entry] of tls.ca.entries()) pem(entry, `tls.ca[${i}]`)
  } else pem(tls.ca, 'tls.ca')
  pem(tls.cert, 'tls.cert')
  pem(tls.key, 'tls.key')
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    fail(tls.cert === undefined ? 'tls.cert' : 'tls.key', 'tls.cert and tls.key together', undefined)
  }
  if (tls.servername !== undefined && (typeof tls.servername !== 'string' || tls.servername === '')) {
    fail('tls.servername', 'a host name', tls.servername)
  }
  return Object.freeze({
    ...(tls as TlsOptions),
    rejectUnauthorized: optionalBoolean(tls.rejectUnauthorized, 'tls.rejectUnauthorized', true),
  })
}

function plainObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'an object', value)
  return value as Record<string, unknown>
}

function checkKeys(object: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      fail(`${prefix}${key}`, `one of ${known.map((k) => prefix + k).join(', ')} (unknown option)`, object[key])
    }
  }
}

/** Throw the setup error: the option, what it expected, what it got. */
function fail(name: string, expected: string, got: unknown): never {
  throw optionError(name, expected, got)
}
