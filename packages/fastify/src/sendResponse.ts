import { Readable } from 'node:stream'
import type { GatewayResponse } from '@gateway-middleware/core'
import { writeDirectlyWhenPiped } from '@gateway-middleware/core/adapter'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/** Response bodies handed to Fastify, by reply (weakly: they go with the request). */
const sending = new WeakMap<FastifyReply, Readable>()

/**
 * Send a gateway response through Fastify's reply, so onSend and onResponse hooks and logging see
 * it. Headers arrive as given: Fastify adds no content type or charset to a stream, keeps its
 * `Content-Length`, and keeps several `Set-Cookie` apart. A `null` body is sent as no payload at all
 * (Fastify would serialise `null` to the text `null` under a JSON content type). A buffer without a
 * content type goes as a one-chunk stream: Fastify would label a buffer `application/octet-stream`.
 * (Header names and values were checked by the core: Node will not refuse them later.)
 */
export function sendResponse(reply: FastifyReply, response: GatewayResponse): void {
  let body = response.body
  if (Buffer.isBuffer(body) && response.headers['content-type'] === undefined) body = Readable.from([body])
  const stream = body === null || Buffer.isBuffer(body) ? undefined : body
  try {
    reply.code(response.status).headers(response.headers)
  } catch (error) {
    // a status or header Fastify or Node refuses (a bug in a hook): release the upstream, then the 500
    stream?.destroy()
    throw error
  }
  if (stream === undefined) {
    reply.send(body ?? undefined)
    return
  }
  // kept past the stream's 'close': Fastify's error handling may run later, after async onError hooks
  sending.set(reply, stream)
  // when Fastify pipes it into the response (after the onSend hooks, which may replace it), it writes itself there
  writeDirectlyWhenPiped(stream, reply.raw)
  reply.send(stream)
}

/**
 * The error handler of the proxy routes. Fastify writes a stream's headers with its first chunk,
 * and sends a stream that fails before that to the error handler, which would answer with the
 * upstream's headers still set. The status was decided when the upstream answered, so such a
 * failure cuts the connection, as it does once bytes went out. If something else fails (an onSend
 * hook) while the body is unread, the body is released so the upstream request ends. Everything
 * goes on to the app's error handler.
 */
export function sendFailed(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const body = sending.get(reply)
  if (body !== undefined) {
    sending.delete(reply)
    if (body.errored === error) {
      reply.raw.destroy()
      return
    }
    body.destroy()
  }
  throw error
}
