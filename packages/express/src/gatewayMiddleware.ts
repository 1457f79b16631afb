import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  type CloseReport,
  createGateway,
  type Gateway,
  type GatewayOptions,
  type GatewayResponse,
  type HealthReport,
} from '@gateway-middleware/core'
import {
  clientGoneSignal,
  discardLaterWrites,
  fromNodeRequest,
  type ParsedBody,
  upgradeThroughServer,
  warnOnce,
  writeResponse,
} from '@gateway-middleware/core/adapter'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { GUARD, type GuardState } from './guardState.js'

/** Express middleware with the gateway's lifecycle attached. */
export interface GatewayMiddleware extends RequestHandler {
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
 * every upstream failure. Mount it before any body parser: it streams the body itself.
 *
 * Without `target`: guard the routes after it. Each request gets `req.gateway`, a client whose
 * calls share the request's deadline; put `gatewayErrorHandler()` after the routes to answer
 * upstream failures with 502/504 (app bugs stay Express's 500). On Express 4, an async route must
 * pass its error to `next` itself: Express 4 drops a rejected route promise (README, "Guard mode on
 * Express 4").
 *
 * ```ts
 * app.use('/api', gatewayMiddleware({ target: 'http://127.0.0.1:4000' }))
 * ```
 */
export function gatewayMiddleware(options: GatewayOptions = {}): GatewayMiddleware {
  const gateway = createGateway(options)
  const middleware = gateway.mode === 'proxy' ? proxyHandler(gateway) : guardHandler(gateway)
  return Object.assign(middleware, {
    close: (graceMs?: number) => gateway.close(graceMs),
    upgrade: upgradeThroughServer,
    health: (options?: { readonly addresses?: boolean }) => gateway.health(options),
  })
}

function proxyHandler(gateway: Gateway): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const request = fromNodeRequest(req, {
      url: req.url,
      mountPath: req.baseUrl,
      signal: clientGoneSignal(res),
      // read only for a request that declares a body
      parsedBody: parsedBodyOf,
    })
    // one `then` with both callbacks, not `then().catch()`: a promise fewer per request
    gateway.proxy(request).then((response: GatewayResponse | undefined) => {
      if (response === undefined) return
      try {
        writeResponse(res, response)
      } catch (error) {
        next(error)
      }
    }, next)
  }
}

/**
 * What a body parser before the gateway left on the request: `req.body`, and the original bytes in
 * `req.rawBody` when the parser's `verify` hook stored them there.
 */
function parsedBodyOf(req: IncomingMessage): ParsedBody | undefined {
  const value: unknown = (req as Request).body
  // no parser ran (a parser's `verify` hook stores `rawBody` only where the parser then sets
  // `req.body`): `rawBody` is not looked up, a read of a field `req` lacks being the dearest on
  // Express's per-request hidden class
  if (value === undefined) return undefined
  const raw = (req as IncomingMessage & { rawBody?: unknown }).rawBody
  return { raw: Buffer.isBuffer(raw) || typeof raw === 'string' ? raw : undefined, value }
}

function guardHandler(gateway: Gateway): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const guard = gateway.guard(
      { method: req.method, url: req.originalUrl, signal: clientGoneSignal(res), rawHeaders: req.rawHeaders },
      { responseStarted: () => res.headersSent },
    )
    const state: GuardState = { guard, handled: false }
    ;(req as Request & { [GUARD]?: GuardState })[GUARD] = state
    req.gateway = guard.client
    const finished = new Promise<void>((resolve) => {
      res.once('close', () => {
        guard.dispose()
        resolve()
        const failure = guard.lastFailure
        if (failure !== undefined && !state.handled && !guard.responded && res.statusCode === failure.status) {
          warnOnce(
            'GATEWAY_NO_ERROR_HANDLER',
            'gateway-middleware: an upstream failure reached Express without gatewayErrorHandler() behind the routes; ' +
              "Express's final handler answered it (with a stack trace outside production). Add app.use(gatewayErrorHandler()) after your routes.",
          )
        }
      })
    })
    // Express routes answer through res, not a promise: the route is done when its response is
    guard.race(finished).then((answer) => {
      if (answer === undefined) return
      writeResponse(res, answer)
      discardLaterWrites(res)
    }, ignore)
    next()
  }
}

function ignore(): void {}
