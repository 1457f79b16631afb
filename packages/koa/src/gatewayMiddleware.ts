import { clientGoneSignal, createGateway, fromNodeRequest, type GatewayOptions } from '@gateway-middleware/core'
import type { Middleware } from 'koa'
import { mountPathOf } from './mountPathOf.js'
import { writeKoaResponse } from './writeKoaResponse.js'

/** Koa middleware with the gateway's lifecycle attached. */
export interface GatewayMiddleware extends Middleware {
  /** Close the upstream connection pool. */
  close(): Promise<void>
}

/**
 * Proxy the requests that reach this middleware to `options.target`, answering 502/504 correctly
 * for every upstream failure. Use it as app middleware, under koa-mount (the mount path is
 * stripped) or on a @koa/router route, before any body parser: it streams the request body itself.
 *
 * It ends the chain (it never calls `next`). Middleware around it sees the proxied `ctx.status`,
 * headers and body stream after `await next()`. A failure after the response headers cuts the client
 * connection and reaches Koa's `'error'` event as a `GatewayError` with `afterHeaders: true`.
 *
 * ```ts
 * app.use(mount('/api', gatewayMiddleware({ target: 'http://127.0.0.1:4000' })))
 * ```
 */
export function gatewayMiddleware(options: GatewayOptions): GatewayMiddleware {
  if (options?.target === undefined) {
    // without a target the core would guard routes instead; the Koa adapter only proxies
    throw new TypeError(
      'gateway-middleware: option "target" expected an http: or https: URL (or a list of them) to proxy to, ' +
        'got undefined (the Koa adapter has no guard mode)',
    )
  }
  const gateway = createGateway(options)
  const middleware: Middleware = async (ctx) => {
    const request = fromNodeRequest(ctx.req, {
      url: ctx.url,
      mountPath: mountPathOf(ctx),
      signal: clientGoneSignal(ctx.res),
    })
    const response = await gateway.proxy(request)
    // the client went away and its connection is closed: write nothing, not even Koa's default 404
    if (response === undefined) ctx.respond = false
    else writeKoaResponse(ctx, response)
  }
  return Object.assign(middleware, { close: () => gateway.close() })
}
