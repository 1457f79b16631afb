import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import type { GatewayResponse } from './GatewayResponse.js'

/**
 * Write a gateway response to a Node `ServerResponse`: headers exactly as given (no charset added),
 * then the body with backpressure. If the body fails mid-stream, the client connection is destroyed:
 * a chunked response loses its terminating chunk and a `Content-Length` one ends short, so the
 * truncation is visible. Nothing is ever appended.
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
  else pipeline(body, res, ignore)
}

/** Failures are already handled: the body's error destroyed the response, and was reported. */
function ignore(): void {}
