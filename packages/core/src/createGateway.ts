import { Agent, type Dispatcher, Pool } from 'undici'
import { errorResponse } from './errorResponse.js'
import type { GatewayError } from './GatewayError.js'
import type { GatewayRequest } from './GatewayRequest.js'
import type { GatewayResponse } from './GatewayResponse.js'
import type { GatewayOptions } from './options.js'
import { proxy } from './proxy.js'
import { type GuardedRequest, type GuardHooks, RequestGuard } from './RequestGuard.js'
import { type ProxyOptions, type ResolvedOptions, resolveOptions } from './resolveOptions.js'

/** The framework-agnostic gateway that every adapter wraps. */
export interface Gateway {
  /** The options, resolved once at setup. */
  readonly options: ResolvedOptions
  /** `proxy` with a target; `guard` without one. */
  readonly mode: 'proxy' | 'guard'
  /**
   * Proxy mode: forward a request to the target. Resolves with the upstream's response (its body
   * streaming) or the gateway's answer to an upstream failure; with `undefined` when the client went
   * away (nothing to write). Rejects only for bugs (a throwing hook, a header undici refuses): the
   * framework's 500.
   */
  proxy(request: GatewayRequest): Promise<GatewayResponse | undefined>
  /** Guard mode: protect one request (its deadline, its client, its error decisions). */
  guard(request: GuardedRequest, hooks: GuardHooks): RequestGuard
  /** The gateway's answer to a failure, for errors that reach an adapter another way. */
  errorResponse(error: GatewayError, method: string): GatewayResponse
  /** Close the upstream connections (idempotent). */
  close(): Promise<void>
}

/** Resolve the options and open the upstream pool: once, at setup. */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const resolved = resolveOptions(options)
  const { onError } = resolved
  const report = (error: GatewayError, method: string, path: string): void => {
    if (onError === undefined) return
    try {
      onError(error, { method, path, target: resolved.target?.origin ?? '' })
    } catch {
      // a throwing hook must not break the gateway
    }
  }
  const dispatcher = createDispatcher(resolved)
  const proxyContext =
    resolved.target === undefined ? undefined : { options: resolved as ProxyOptions, dispatcher, report }
  const guardContext = { options: resolved, dispatcher, report }
  let closing: Promise<void> | undefined
  return {
    options: resolved,
    mode: proxyContext === undefined ? 'guard' : 'proxy',
    proxy(request) {
      if (proxyContext === undefined) {
        return Promise.reject(new TypeError('gateway-middleware: proxy() needs the "target" option'))
      }
      return proxy(proxyContext, request)
    },
    guard(request, hooks) {
      return new RequestGuard(guardContext, request, hooks)
    },
    errorResponse(error, method) {
      return errorResponse(error, resolved.proxyName, method)
    },
    close() {
      closing ??= dispatcher.close()
      return closing
    },
  }
}

/**
 * Proxy mode: a pool to the one target, whose headers and body timeouts are off because the
 * gateway's own timer enforces them. Guard mode: an agent for any origin, which keeps undici's
 * timeouts for `fetch` (the gateway's timer still enforces them for `request`).
 */
function createDispatcher(options: ResolvedOptions): Dispatcher {
  const { target, timeout, pool, tls } = options
  const connect = {
    timeout: timeout.connect,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  }
  if (target !== undefined) {
    return new Pool(target.origin, {
      connections: pool.connections,
      keepAliveTimeout: pool.keepAliveTimeout,
      headersTimeout: 0,
      bodyTimeout: 0,
      connect,
    })
  }
  return new Agent({
    connections: pool.connections,
    keepAliveTimeout: pool.keepAliveTimeout,
    headersTimeout: timeout.headers,
    bodyTimeout: timeout.idle,
    connect,
  })
}
