import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { DirectBody, GatewayResponse } from './GatewayResponse.js'

/**
 * Write a gateway response to a Node `ServerResponse`: headers exactly as given (no charset added),
 * then the body with backpressure. If the body fails mid-stream, the client connection is destroyed:
 * a chunked response loses its terminating chunk and a `Content-Length` one ends short, so the
 * truncation is visible. Nothing is ever appended. If the client leaves, the body is destroyed,
 * which aborts the upstream.
 *
 * `pipe` rather than `stream.pipeline`: pipeline allocates an AbortController (and a DOMException
 * when it finishes) per call, a measurable share of a small proxied response's cost.
 */
export function writeResponse(res: ServerResponse, response: GatewayResponse): void {
  const body = response.body
  try {
    res.writeHead(response.status, response.headers)
  } catch (error) {
    // headers already sent by other middleware, or a value Node refuses: release the upstream
    if (body !== null && !Buffer.isBuffer(body)) body.destroy()
    throw error
  }
  if (body === null) res.end()
  else if (Buffer.isBuffer(body)) res.end(body)
  else if (isDirect(body)) body.sendTo(res)
  else {
    body.once('error', () => res.destroy())
    res.once('close', () => {
      if (!body.readableEnded) body.destroy()
    })
    body.pipe(res)
  }
}

/**
 * For adapters that hand a gateway response's body stream to their framework, which pipes it into
 * the Node response itself (Koa, Fastify): when the framework pipes it into `res`, the upstream's
 * body writes itself straight into it, without the stream in between (each chunk pushed, buffered,
 * read and written again). The framework's hooks and middleware still see the stream and may
 * replace it; piped anywhere else, it streams as usual.
 */
export function writeDirectlyWhenPiped(body: Readable, res: ServerResponse): void {
  if (isDirect(body)) body.sendWhenPipedTo(res)
}

function isDirect(body: Readable): body is Readable & DirectBody {
  return typeof (body as Partial<DirectBody>).sendTo === 'function'
}
