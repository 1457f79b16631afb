import { Agent, type Dispatcher, Pool } from 'undici'
import { errorRequest } from '../error-pages/errorRequest.js'
import { errorResponse } from '../error-pages/errorResponse.js'
import type { GatewayError } from '../errors/GatewayError.js'
import { GatewayEvents, type GatewayObserver } from '../events/GatewayEvents.js'
import { CallUrls } from '../guard/CallUrls.js'
import { outboundProxyAgent } from '../guard/outboundProxyAgent.js'
import { type GuardedRequest, type GuardHooks, RequestGuard } from '../guard/RequestGuard.js'
import { logObserver } from '../observe/logObserver.js'
import type { ReportedTargets } from '../observe/metricsObserver.js'
import { subscribeTelemetry } from '../observe/subscribeTelemetry.js'
import type { GatewayOptions } from '../options/options.js'
import { type ResolvedOptions, type ResolvedTarget, resolveOptions } from '../options/resolveOptions.js'
import { RetryBudget } from '../policy/RetryBudget.js'
import { proxy } from '../proxy/proxy.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import { AdaptiveLimiter } from '../targets/AdaptiveLimiter.js'
import { Circuit } from '../targets/Circuit.js'
import { HealthChecker } from '../targets/HealthChecker.js'
import { type HealthReport, healthReport } from '../targets/healthReport.js'
import { isEjected } from '../targets/isEjected.js'
import { Origins } from '../targets/Origins.js'
import { RecentLatency } from '../targets/RecentLatency.js'
import { TargetQueue } from '../targets/TargetQueue.js'
import { TargetRouter } from '../targets/TargetRouter.js'
import { type Destination, TargetSet } from '../targets/TargetSet.js'
import { TargetState } from '../targets/TargetState.js'
import { Tunnels } from '../upgrade/Tunnels.js'
import { type CloseReport, closeGracefully } from './closeGracefully.js'
import { UpgradesOverHttp1 } from './UpgradesOverHttp1.js'
import { upstreamConnector } from './upstreamConnector.js'

/** The framework-agnostic gateway that every adapter wraps. */
export interface Gateway {
  /** The options, resolved once at setup. */
  readonly options: ResolvedOptions
  /** `proxy` with a target; `guard` without one. */
  readonly mode: 'proxy' | 'guard'
  /**
   * Proxy mode: forward a request to a target. Resolves with the upstream's response (its body
   * streaming) or the gateway's answer to an upstream failure; with `undefined` when the client went
   * away (nothing to write). Rejects only for bugs (a throwing hook, a header undici refuses): the
   * framework's 500.
   */
  proxy(request: GatewayRequest): Promise<GatewayResponse | undefined>
  /**
   * Listen to the gateway's event seam: every attempt's outcome, retry, failure, ejection and
   * restoration, response start and client departure. Returns the function that stops listening.
   * Nobody listening costs nothing.
   */
  subscribe(observer: GatewayObserver): () => void
  /**
   * Each target's state (healthy, ejected until when, half-open; the health checks' verdict, the
   * latest failure kind, attempts in flight) for readiness endpoints. Targets are named by position
   * (`target[0]`) unless `addresses` is asked for.
   */
  health(options?: { readonly addresses?: boolean }): HealthReport
  /** Guard mode: protect one request (its deadline, its client, its error decisions). */
  guard(request: GuardedRequest, hooks: GuardHooks): RequestGuard
  /**
   * The gateway's answer to a failure, for errors that reach an adapter another way: negotiated from
   * the request's `Accept`, with its safe `X-Request-Id` (else a new one). Never rejects.
   */
  errorResponse(
    error: GatewayError,
    request: { readonly method: string; readonly url: string; readonly rawHeaders?: readonly string[] },
  ): Promise<GatewayResponse>
  /**
   * Stop taking new upstream calls (they get 503), let in-flight ones finish for up to `graceMs`
   * (default `gracePeriod`), then abort the rest and close every pool; upgraded connections
   * (WebSocket) get the same grace period, then end. Resolves with how many had to be ended. Idempotent.
   */
  close(graceMs?: number): Promise<CloseReport>
}

/** Resolve the options and open the upstream pools: once, at setup. */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const resolved = resolveOptions(options)
  const { onError, onRetry, retry } = resolved
  const events = new GatewayEvents()
  const budget = retry === undefined ? undefined : new RetryBudget(retry.budgetPercent, retry.budgetMinConcurrency)
  /** A target's destination: its pool (guard mode: the agent), passive health, queue and state. */
  const destination = (target: ResolvedTarget, dispatcher: Dispatcher, passive: boolean): Destination => ({
    target,
    dispatcher,
    circuit:
      resolved.circuit === undefined || !passive
        ? undefined
        : new Circuit(resolved.circuit, (state, restMs) => {
            if (events.wants.health) events.health({ target: target.origin, state, restMs })
          }),
    ...queueFor(resolved),
    latency: resolved.hedge?.percentile === undefined ? undefined : new RecentLatency(resolved.hedge.percentile),
    state: new TargetState(),
  })
  const targets = new TargetSet(
    resolved.targets.map((target) => destination(target, createPool(target, resolved), true)),
  )
  if (resolved.logger !== undefined) events.subscribe(logObserver(resolved.logger))
  // the hooks observe after the logger; they get their contexts without the request's
  // logger (a Fastify request's), which is the log records' destination, not data about the failure
  if (onError !== undefined || onRetry !== undefined) {
    events.subscribe({
      ...(onError === undefined ? {} : { failure: (error, context) => onError(error, withoutLog(context)) }),
      ...(onRetry === undefined ? {} : { retry: (context) => onRetry(withoutLog(context)) }),
    })
  }
  const checks =
    resolved.healthCheck === undefined || resolved.targets.length === 0
      ? undefined
      : new HealthChecker(
          targets.destinations,
          resolved.healthCheck,
          `${resolved.proxyName} health check`,
          (d, passing) => {
            d.state.failingProbe = !passing
            if (events.wants.health) {
              events.health({ target: d.target.origin, state: passing ? 'restored' : 'ejected', restMs: undefined })
            }
          },
        )
  checks?.start()
  const agent =
    resolved.targets.length === 0 && resolved.targetFunction === undefined ? createAgent(resolved) : undefined
  // a target function's origins get a pool each, on demand; guard mode's calls a queue per origin, on the one agent
  const forgotten = new Set<string>()
  const origins =
    agent !== undefined
      ? new Origins(resolved.originLimit, (target) => destination(target, agent, false), ignore)
      : resolved.targetFunction === undefined
        ? undefined
        : new Origins(
            resolved.originLimit,
            (target) => {
              // the path prefix is each result's own: the origin's destination has none
              const origin = originOf(target)
              forgotten.delete(origin.origin)
              return destination(origin, createPool(origin, resolved), true)
            },
            (retired) => {
              void retired.dispatcher.close().catch(ignore)
              if (forgotten.size < resolved.originLimit) forgotten.add(retired.target.origin)
            },
          )
  const routing =
    resolved.targetFunction === undefined || origins === undefined
      ? undefined
      : { router: new TargetRouter(resolved.targetFunction), origins }
  const stopTelemetry =
    resolved.telemetry === undefined
      ? undefined
      : subscribeTelemetry(
          events,
          resolved.telemetry,
          agent === undefined ? reportedTargets(targets.destinations, routing?.origins, forgotten) : undefined,
        )
  // set once close() began: no new upstream calls are taken
  const lifecycle = { closing: false }
  const tunnels = new Tunnels()
  const proxyContext = { options: resolved, targets, routing, budget, events, lifecycle, tunnels }
  const guardContext = {
    options: resolved,
    dispatcher: agent as Dispatcher,
    urls: new CallUrls(),
    origins: origins as Origins,
    budget,
    events,
    lifecycle,
  }
  let closing: Promise<CloseReport> | undefined
  return {
    options: resolved,
    mode: agent === undefined ? 'proxy' : 'guard',
    proxy(request) {
      if (agent !== undefined) {
        return Promise.reject(new TypeError('gateway-middleware: proxy() needs the "target" option'))
      }
      return proxy(proxyContext, request)
    },
    subscribe: (observer) => events.subscribe(observer),
    guard(request, hooks) {
      if (agent === undefined) throw new TypeError('gateway-middleware: guard() is for a gateway without "target"')
      return new RequestGuard(guardContext, request, hooks)
    },
    errorResponse(error, request) {
      return Promise.resolve(errorResponse(error, errorRequest(request), proxyContext))
    },
    health: (options) => healthReport(targets.destinations, checks !== undefined, options?.addresses === true),
    close(graceMs = resolved.gracePeriod) {
      lifecycle.closing = true
      checks?.stop()
      const dispatchers =
        agent !== undefined
          ? [agent]
          : [...targets.destinations, ...(routing?.origins.destinations() ?? [])].map((d) => d.dispatcher)
      // telemetry stops once the last call ended (and told its metrics and span)
      closing ??= closeGracefully(dispatchers, tunnels, graceMs).finally(stopTelemetry)
      return closing
    },
  }
}

/** A function's target without its path prefix: what its origin's destination is made of. */
function originOf(target: ResolvedTarget): ResolvedTarget {
  return Object.freeze({ origin: target.origin, basePath: '', url: new URL(target.origin) })
}

/**
 * What the per-target gauges (ejected, concurrency limit, queue length) read when collected: each static target and each origin a
 * target function's requests went to that is still known (the LRU bounds them, so the series do too),
 * and once more as 0 each origin forgotten since (a cumulative reader keeps a series' last value, and
 * a forgotten ejected origin would count as out for ever; at most `limits.origins` of them are kept).
 */
function reportedTargets(
  statics: readonly Destination[],
  origins: Origins | undefined,
  forgotten: Set<string>,
): ReportedTargets {
  return {
    each(visit) {
      // read from the state at collection, as health() reads it: a half-open target takes its trial, so is back
      const now = Date.now()
      for (const d of statics) visit(d.target.origin, isEjected(d, now), d.queue)
      if (origins !== undefined)
        for (const d of origins.destinations()) visit(d.target.origin, isEjected(d, now), d.queue)
    },
    forgotten(visit) {
      for (const origin of forgotten) visit(origin)
      forgotten.clear()
    },
  }
}

function ignore(): void {}

/** ms a connection is idle before TCP keep-alive probes start: undici's own default for its sockets. */
const TCP_KEEPALIVE_INITIAL_DELAY = 60_000

/** The gateway's queue in front of a target's pool, with the adaptive limiter that moves it when asked for. */
function queueFor(options: ResolvedOptions): { queue: TargetQueue; limiter: AdaptiveLimiter | undefined } {
  const queue = new TargetQueue(options.concurrency, options.queueLimit)
  return { queue, limiter: options.adaptive === undefined ? undefined : new AdaptiveLimiter(queue, options.adaptive) }
}

/**
 * undici connect options: the connect timeout as a backstop, and TLS verified by default.
 *
 * `noDelay` and `keepAlive` are the settings undici gives every socket anyway (it calls `setNoDelay`
 * and `setKeepAlive` after `net.connect`), handed to `net.connect` instead: Node then applies them once
 * the connection is made, and undici's calls find them set and do nothing. Set by undici, libuv makes
 * the five `setsockopt` calls before connecting, so a refused connection paid for them too (`strace -c`,
 * 2000 refused requests: 10,009 `setsockopt` → 9), and Node made them again once connected (10 per
 * connection, now 5). TLS sockets are made by `tls.connect`, which does not read them: undici's calls
 * set them there, as before.
 */
function connectOptions({ timeout, tls }: ResolvedOptions) {
  return {
    timeout: timeout.connect,
    noDelay: true,
    keepAlive: true,
    keepAliveInitialDelay: TCP_KEEPALIVE_INITIAL_DELAY,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  }
}

/**
 * Proxy mode: a pool per target; its headers and body timeouts are off, the gateway's own timer runs
 * them. With `http2`, the pool offers HTTP/2 (ALPN) and upgrades get an HTTP/1.1 pool of their own.
 */
function createPool(target: ResolvedTarget, options: ResolvedOptions): Dispatcher {
  const pool = (allowH2: boolean) =>
    new Pool(target.origin, {
      connections: options.pool.connections,
      keepAliveTimeout: options.pool.keepAliveTimeout,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: upstreamConnector({ ...connectOptions(options), allowH2 }),
      allowH2,
    })
  if (!options.http2 || target.url.protocol !== 'https:') return pool(false)
  return options.upgrade === undefined ? pool(true) : new UpgradesOverHttp1(pool(true), pool(false))
}

/**
 * Guard mode: an agent for any origin, keeping undici's timeouts for `fetch` (the gateway's timer runs
 * them for `request`); with `http2`, it offers HTTP/2 to `https:` origins; behind `outboundProxy`, the proxy agent (see `outboundProxyAgent`).
 */
function createAgent(options: ResolvedOptions): Dispatcher {
  const agent = {
    connections: options.pool.connections,
    keepAliveTimeout: options.pool.keepAliveTimeout,
    headersTimeout: options.timeout.headers,
    bodyTimeout: options.timeout.idle,
    connect: connectOptions(options),
    allowH2: options.http2,
  }
  const proxy = options.outboundProxy
  if (proxy === undefined) return new Agent(agent)
  return outboundProxyAgent(proxy, agent, connectOptions(options), options.timeout.connect)
}

/** A hook's context: the event's, without the request's logger. */
function withoutLog<C extends { readonly log?: unknown }>(context: C): Omit<C, 'log'> {
  if (!('log' in context)) return context
  const { log: _log, ...told } = context
  return told
}
