import { Pool } from 'undici'
import { errorResponse } from './errorResponse.js'
import type { GatewayError } from './GatewayError.js'
import type { GatewayRequest } from './GatewayRequest.js'
import type { GatewayResponse } from './GatewayResponse.js'
import type { GatewayOptions } from './options.js'
import { type ResolvedOptions, resolveOptions } from './resolveOptions.js'
import { UpstreamCall } from './UpstreamCall.js'

/** The framework-agnostic gateway that every adapter wraps. */
export interface Gateway {
  /** The options, resolved once at setup. */
  readonly options: ResolvedOptions
  /**
   * Forward a request upstream. Resolves with the upstream's response (its body streaming) or the
   * gateway's answer to an upstream failure; with `undefined` when the client went away (nothing
   * to write). Rejects only for bugs (a throwing hook, an invalid header from `rewriteRequestHeaders`):
   * the framework's 500.
   */
  proxy(request: GatewayRequest): Promise<GatewayResponse | undefined>
  /** The gateway's answer to a failure, for errors that reach an adapter another way. */
  errorResponse(error: GatewayError, method: string): GatewayResponse
  /** Close the upstream connection pool (idempotent). */
  close(): Promise<void>
}

/** Resolve the options and open the upstream pool: once, at setup. */
export function createGateway(options: GatewayOptions): Gateway {
  const resolved = resolveOptions(options)
  const { target, timeout, pool, tls } = resolved
  const dispatcher = new Pool(target.origin, {
    connections: pool.connections,
    keepAliveTimeout: pool.keepAliveTimeout,
    // our own timer enforces these at any resolution; undici's run at about 1 s
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: timeout.connect,
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    },
  })
  const context = { options: resolved, dispatcher }
  let closing: Promise<void> | undefined
  return {
    options: resolved,
    proxy(request) {
      return new Promise((resolve, reject) => new UpstreamCall(context, request, resolve, reject).start())
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
