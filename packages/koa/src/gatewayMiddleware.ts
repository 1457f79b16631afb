import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  type CloseReport,
  createGateway,
  type Gateway,
  type GatewayOptions,
  type HealthReport,
} from '@gateway-middleware/core'
import {
  clientGoneSignal,
  fromNodeRequest,
  type ParsedBody,
  upgradeThroughServer,
} from '@gateway-middleware/core/adapter'
import type { Context, Middleware } from 'koa'
import { guardMiddleware } from './guardMiddleware.js'
import { mountPathOf } from './mountPathOf.js'
import { writeKoaResponse } from './writeKoaResponse.js'

/** Koa middleware with the gateway's lifecycle attached. */
export interface GatewayMiddleware extends Middleware {
  /**
   * Stop taking new upstream calls (503), let in-flight ones finish for up to `graceMs` (default:
   * the `gracePeriod` option), then abort the rest and close the pools.
   */
  close(graceMs?: number): Promise<CloseReport>
  /**
   * The server's `'upgrade'` listener, for WebSockets through the proxy:
   * `server.on('upgrade', middleware.upgrade)`. It routes the handshake through the app (its
   * middleware before the gateway runs as for any request); any gateway's listener serves them all.
   */
  upgrade(this: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void
  /**
   * Each target's state, for a readiness endpoint: healthy, ejected until when, half-open, the health
   * checks' verdict, the latest failure kind and attempts in flight. Targets are named by position
   * unless `{ addresses: true }`.
   */
  health(options?: { readonly addresses?: boolean }): HealthReport
}

/**
 * With `target`: proxy the requests that reach this middleware, answering 502/504 correctly for
 * every upstream failure. Without `target`: guard the middleware and routers mounted after it, which
 * get `ctx.gateway` for their upstream calls (see `guardMiddleware`).
 *
 * Proxying: Use it as app middleware, under koa-mount (the mount path is
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
export function gatewayMiddleware(options: GatewayOptions = {}): GatewayMiddleware {
  const gateway = createGateway(options)
  const middleware = gateway.mode === 'proxy' ? proxyMiddleware(gateway) : guardMiddleware(gateway)
  return Object.assign(middleware, {
    close: (graceMs?: number) => gateway.close(graceMs),
    upgrade: upgradeThroughServer,
    health: (options?: { readonly addresses?: boolean }) => gateway.health(options),
  })
}

function proxyMiddleware(gateway: Gateway): Middleware {
  // not `async`: the `then` is its one promise (an `async` function and its `await` made two, each
  // paying the OpenTelemetry context manager's promise hooks when the SDK is on); a throw before it
  // reaches Koa as a rejection would, through koa-compose
  return (ctx) => {
    const request = fromNodeRequest(ctx.req, {
      url: ctx.url,
      mountPath: mountPathOf(ctx),
      signal: clientGoneSignal(ctx.res),
      parsedBody: parsedBodyOf(ctx),
    })
    return gateway.proxy(request).then((response) => {
      // the client went away and its connection is closed: write nothing, not even Koa's default 404
      if (response === undefined) ctx.respond = false
      else writeKoaResponse(ctx, response)
    })
  }
}

/** What a body parser before the gateway left on the request: `@koa/bodyparser`'s `ctx.request.body` and `rawBody`. */
function parsedBodyOf(ctx: Context): ParsedBody | undefined {
  const koa = ctx.request as Context['request'] & { body?: unknown; rawBody?: unknown }
  const value = koa.body
  const raw = koa.rawBody
  if (value === undefined && raw === undefined) return undefined
  return { raw: Buffer.isBuffer(raw) || typeof raw === 'string' ? raw : undefined, value }
}
