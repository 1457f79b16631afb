import type { GatewayResponse } from '@gateway-middleware/core'
import { writeDirectlyWhenPiped } from '@gateway-middleware/core/adapter'
import type { Context } from 'koa'

/**
 * Hand a gateway response to Koa as `ctx.body`, `ctx.status` and headers, so that middleware around
 * the gateway sees (and may still change) all three, and Koa writes them.
 *
 * The order undoes what Koa's setters add on their own: the body first (it picks a status, 204 for
 * `null`, and removes `Content-Type` and `Content-Length`), then the real status, then the headers
 * as given (`Content-Type` byte-for-byte, several `Set-Cookie` kept apart). A stream body makes Koa
 * label the response `application/octet-stream`; that label is removed again when the upstream
 * sent no type. A whole body with a type (most responses) goes the other way round: status and
 * headers first, so that Koa's body setter has no type to guess (it sets the same `Content-Length`).
 *
 * A body stream that fails (the upstream failed after its headers) destroys the client connection,
 * so the truncation is visible. Koa 2 pipes the body with `.pipe()`, which passes no errors: without
 * this, every such response would hang, its connection open (seen in test/koa.adapter.test.ts on
 * Koa 2). Koa 3 pipes it with `stream.pipeline`, which destroys the connection too, but only once it
 * writes: while middleware around the gateway still runs, the error would go unhandled and end the
 * process, and a body another middleware piped on with `.pipe()` would hang as on Koa 2. Destroying
 * without the error also keeps Koa 3 from reporting the failure to its `'error'` event twice (once
 * from `pipeline`, once more from the socket's error).
 */
export function writeKoaResponse(ctx: Context, response: GatewayResponse): void {
  const { body, headers } = response
  const koa = ctx.response
  const res = ctx.res
  if (Buffer.isBuffer(body) && headers['content-type'] !== undefined) {
    koa.status = response.status
    setHeaders(res, headers)
    koa.body = body
    return
  }
  const typed = res.hasHeader('content-type') || headers['content-type'] !== undefined
  if (body !== null && !Buffer.isBuffer(body)) {
    body.on('error', () => res.destroy())
    // when Koa pipes it into the response (and no middleware replaced it), it writes itself there
    writeDirectlyWhenPiped(body, res)
  }
  koa.body = body
  koa.status = response.status
  setHeaders(res, headers)
  if (!typed) koa.remove('Content-Type')
}

/** What Koa's `ctx.set(headers)` does, without its per-field conversions: the values are already strings. */
function setHeaders(res: Context['res'], headers: GatewayResponse['headers']): void {
  if (res.headersSent) return
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) res.setHeader(name, value)
  }
}
