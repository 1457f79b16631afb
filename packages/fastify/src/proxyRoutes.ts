import type { Gateway } from '@gateway-middleware/core'
import { clientGoneSignal, fromNodeRequest } from '@gateway-middleware/core/adapter'
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify'
import { sendFailed, sendResponse } from './sendResponse.js'
import { stripPrefix } from './stripPrefix.js'
import { upgradeOf } from './upgradeListener.js'

/** What the proxy routes need: the gateway, created once when the plugin was registered. */
export interface ProxyRoutesOptions {
  readonly gateway: Gateway
  /** Whether the gateway's records about a request go to its `request.log` (no `logger` option was given). */
  readonly requestLog: boolean
}

/**
 * The encapsulated context of one proxy: the routes `<prefix>` and `<prefix>/*` for every method
 * Fastify routes, and a pass-through content-type parser, so the request body stays an unread
 * stream in `request.raw` for the core to forward (the user's parsers elsewhere are untouched).
 */
export const proxyRoutes: FastifyPluginCallback<ProxyRoutesOptions> = (instance, { gateway, requestLog }, done) => {
  instance.removeAllContentTypeParsers()
  instance.addContentTypeParser('*', passThrough)
  // the full prefix, including those of the contexts the plugin was registered in
  const prefix = instance.prefix
  // an upgrade request is taken before the route's handler: @fastify/websocket, when registered before
  // the plugin, wraps every later route's handler and would answer the handshake itself
  // (callback hooks that look at one header first: an ordinary request pays a property read)
  instance.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade === undefined || upgradeOf(request.raw, reply) === undefined) {
      done()
      return
    }
    const { url, mountPath } = stripPrefix(request.url, prefix)
    gateway
      .proxy(
        fromNodeRequest(request.raw, {
          url,
          mountPath,
          signal: clientGoneSignal(reply.raw),
          log: requestLog ? request.log : undefined,
        }),
      )
      .then((response) => {
        if (response === undefined) reply.hijack()
        else sendResponse(reply, response)
      })
      .catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))))
  })
  const handler = (request: FastifyRequest, reply: FastifyReply): void => {
    const { url, mountPath } = stripPrefix(request.url, prefix)
    const signal = clientGoneSignal(reply.raw)
    // one `then` with both callbacks, not `.then().catch()`: one promise instead of two (each pays the
    // OpenTelemetry context manager's promise hooks when the SDK is on)
    gateway
      .proxy(fromNodeRequest(request.raw, { url, mountPath, signal, log: requestLog ? request.log : undefined }))
      .then(
        (response) => {
          try {
            // the client left: nothing to write, and Fastify must not answer for us
            if (response === undefined) reply.hijack()
            else sendResponse(reply, response)
          } catch (error) {
            failed(reply, error)
          }
        },
        (error: unknown) => failed(reply, error),
      )
  }
  instance.all('/', { errorHandler: sendFailed }, handler)
  instance.all('/*', { errorHandler: sendFailed }, handler)
  done()
}

/** A rejection is a bug (a throwing hook), as is a throw while sending: the app's error handler answers, as for a route's. */
function failed(reply: FastifyReply, error: unknown): void {
  reply.send(error instanceof Error ? error : new Error(String(error)))
}

/** Leave the body unread: the core streams `request.raw` upstream. */
function passThrough(_request: FastifyRequest, _payload: unknown, done: (error: Error | null) => void): void {
  done(null)
}
