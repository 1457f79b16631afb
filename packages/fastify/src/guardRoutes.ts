import type { Gateway } from '@gateway-middleware/core'
import { clientGoneSignal } from '@gateway-middleware/core/adapter'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify'
import { sendResponse } from './sendResponse.js'

const GUARDED = Symbol.for('gateway-middleware.fastify.guarded')

/**
 * Guard mode: wrap the handler of every route declared after this on `instance` (and its child
 * contexts) through an `onRoute` hook — not `setErrorHandler`, which the user's own error handler
 * would silently replace. The handler runs with `request.gateway`; an upstream failure it raises
 * becomes the gateway's 502/503/504, anything else goes on to Fastify's error handling (a 500); when
 * the deadline passes before the reply was sent, the gateway answers 504.
 */
export function guardRoutes(instance: FastifyInstance, gateway: Gateway, requestLog: boolean): void {
  if (!instance.hasRequestDecorator('gateway')) instance.decorateRequest('gateway', null as never)
  instance.addHook('onRoute', (route: RouteOptions & { [GUARDED]?: true }) => {
    if (route[GUARDED]) return
    route[GUARDED] = true
    route.handler = guarded(gateway, route.handler, requestLog)
  })
}

function guarded(gateway: Gateway, handler: RouteHandlerMethod, requestLog: boolean): RouteHandlerMethod {
  return function guardedHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const guard = gateway.guard(
      {
        method: request.method,
        url: request.url,
        signal: clientGoneSignal(reply.raw),
        rawHeaders: request.raw.rawHeaders,
        log: requestLog ? request.log : undefined,
      },
      { responseStarted: () => reply.sent || reply.raw.headersSent },
    )
    request.gateway = guard.client
    reply.raw.once('close', () => guard.dispose())
    const answer = async (error: unknown): Promise<FastifyReply> => {
      const response = reply.sent ? undefined : await guard.failureResponse(error)
      if (response === undefined) throw error
      sendResponse(reply, response)
      return reply
    }
    let result: unknown
    try {
      result = handler.call(this, request, reply)
    } catch (error) {
      return answer(error)
    }
    // a callback-style handler (it calls reply.send later): its errors reach Fastify's handling
    if (!isThenable(result)) return result
    return guard.race(result).then((deadline) => {
      if (deadline === undefined) return result
      sendResponse(reply, deadline)
      return reply
    }, answer)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
