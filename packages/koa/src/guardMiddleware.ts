import type { Gateway } from '@gateway-middleware/core'
import { clientGoneSignal } from '@gateway-middleware/core/adapter'
import type { Middleware } from 'koa'
import { writeKoaResponse } from './writeKoaResponse.js'

/**
 * Guard mode: the middleware after this one (routers included) runs with `ctx.gateway`, a client
 * whose calls share the request's deadline. An upstream failure they raise becomes the gateway's
 * 502/503/504; anything else goes on to Koa's error handling (a 500). When the deadline passes
 * before the response started, the gateway answers 504 and the route's later writes are ignored.
 */
export function guardMiddleware(gateway: Gateway): Middleware {
  return async (ctx, next) => {
    const guard = gateway.guard(
      { method: ctx.method, url: ctx.originalUrl, signal: clientGoneSignal(ctx.res), rawHeaders: ctx.req.rawHeaders },
      { responseStarted: () => ctx.headerSent },
    )
    ctx.gateway = guard.client
    try {
      const answer = await guard.race(next())
      if (answer !== undefined) writeKoaResponse(ctx, answer)
    } catch (error) {
      const answer = await guard.failureResponse(error)
      if (answer === undefined) throw error
      writeKoaResponse(ctx, answer)
    } finally {
      guard.dispose()
    }
  }
}
