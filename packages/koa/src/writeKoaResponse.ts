import type { GatewayResponse } from '@gateway-middleware/core'
import type { Context } from 'koa'

/**
 * Hand a gateway response to Koa as `ctx.body`, `ctx.status` and headers, so that middleware around
 * the gateway sees (and may still change) all three, and Koa writes them.
 *
 * The order undoes what Koa's setters add on their own: the body first (it picks a status, 204 for
 * `null`, and removes `Content-Type` and `Content-Length`), then the real status, then the headers
 * as given (`Content-Type` byte-for-byte, several `Set-Cookie` kept apart). A stream body makes Koa
 * label the response `application/octet-stream`; that label is removed again when the upstream
 * sent no type.
 *
 * A body stream that fails (the upstream failed after its headers) destroys the client connection,
 * so the truncation is visible. Koa 3 pipes the body with `stream.pipeline`, which does so too, but
 * only once it writes: while middleware around the gateway still runs, the error would go unhandled
 * and end the process, and a body another middleware piped on with `.pipe()` (which passes no
 * errors) would hang. Destroying without the error also keeps Koa from reporting the failure to
 * its `'error'` event twice (once from `pipeline`, once more from the socket's error).
 */
export function writeKoaResponse(ctx: Context, response: GatewayResponse): void {
  const { body, headers } = response
  const typed = ctx.res.hasHeader('content-type') || headers['content-type'] !== undefined
  if (body !== null && !Buffer.isBuffer(body)) body.on('error', () => ctx.res.destroy())
  ctx.body = body
  ctx.status = response.status
  ctx.set(headers)
  if (!typed) ctx.remove('Content-Type')
}
