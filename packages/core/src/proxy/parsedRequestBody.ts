import { GatewayError } from '../errors/GatewayError.js'
import { headerValue } from '../http/headerValue.js'
import { mediaType } from '../http/mediaType.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import { warnOnce } from '../seam/warnOnce.js'
import { serializeBody } from './serializeBody.js'

/**
 * `reserializeBody`: the bytes to forward in place of a request body that a parser mounted before
 * the gateway already read. The original bytes wherever the parser kept them, since writing a
 * parsed value back changes bytes (qs turns `a=1&a=2` into `a%5B0%5D=1&a%5B1%5D=2`, JSON loses
 * integers above 2^53, and a signed webhook's signature no longer matches); only without them the
 * value serialised again by its type (see {@link serializeBody}), warned about once.
 *
 * Throws the gateway's 500 `proxy_internal_error`, with a once-warning naming why, for:
 * - a multipart body, as the client sent it or as `rewriteRequestHeaders` labels it upstream: written
 *   back from parsed fields, a CR LF in a value makes parts of its own (http-proxy-middleware's
 *   `fixRequestBody` advisory, CVE-2026-55603), so it is never rebuilt, even from bytes;
 * - a body the parser read but made nothing of (it rejected it, and an error handler or
 *   `@koa/bodyparser`'s `onError` carried on): the upstream must never get what the app refused
 *   (http-proxy-middleware's GHSA-9gqv-wp59-fq42);
 * - a value of a type with no serializer, or one that cannot be written back as it arrived.
 *
 * Parsers decode the body's `Content-Encoding` before they parse (and before `verify` sees it), so
 * the bytes are sent without one.
 */
export function parsedRequestBody(request: GatewayRequest, upstreamHeaders: readonly string[]): Buffer {
  const contentType = headerValue(request.rawHeaders, 'content-type')
  if (multipart(contentType) || multipart(headerValue(upstreamHeaders, 'content-type'))) {
    refuse(
      'GATEWAY_BODY_MULTIPART',
      'a multipart body was already read by a parser mounted before the gateway; it is never rebuilt ' +
        '(a CR LF in a form value would make parts of its own). Mount the gateway before multipart parsers.',
    )
  }
  const parsed = request.parsedBody
  if (parsed === undefined || parsed.value === undefined) {
    refuse(
      'GATEWAY_BODY_REJECTED',
      'a body parser mounted before the gateway read the request body but left no parsed value (it rejected ' +
        'the body, and the app carried on), so it is not forwarded.',
    )
  }
  const { raw, value } = parsed
  // Express 4's parsers (body-parser 1.x) set req.body = {} before they parse and leave it there when
  // they fail: an empty object standing for a body that was not empty is a rejected body
  if (emptyObject(value) && !emptyBody(raw, request.rawHeaders)) {
    refuse(
      'GATEWAY_BODY_REJECTED',
      'a body parser mounted before the gateway read the request body but left only an empty placeholder (it ' +
        'rejected the body, and the app carried on), so it is not forwarded.',
    )
  }
  if (raw !== undefined) return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw
  // express.raw(): the value is the bytes themselves
  if (Buffer.isBuffer(value)) return value
  const bytes = serializeBody(contentType, value)
  if (bytes === undefined) {
    refuse(
      'GATEWAY_BODY_NOT_SERIALIZABLE',
      'a body parser mounted before the gateway read the request body, and what it made of it cannot be written ' +
        'back (only JSON and flat urlencoded forms are). Keep the original bytes (Express: ' +
        'express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })), or mount the gateway first.',
    )
  }
  warnOnce(
    'GATEWAY_BODY_RESERIALIZED',
    'gateway-middleware: reserializeBody wrote a parsed request body back without its original bytes, so the ' +
      "upstream's bytes may differ from the client's (a signature over them fails). Keep them: Express " +
      'express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }); @koa/bodyparser keeps ctx.request.rawBody.',
  )
  return bytes
}

/**
 * The request's header fields with the framing of `bytes` in place of the client's: `Content-Length`
 * of those bytes, and no `Content-Encoding` (the parser decoded it). `Transfer-Encoding` is
 * hop-by-hop and already gone.
 */
export function framedFor(headers: readonly string[], bytes: Buffer): string[] {
  const framed: string[] = []
  for (let i = 0; i < headers.length; i += 2) {
    const lower = (headers[i] as string).toLowerCase()
    if (lower === 'content-length' || lower === 'content-encoding') continue
    framed.push(headers[i] as string, headers[i + 1] as string)
  }
  framed.push('content-length', String(bytes.length))
  return framed
}

/** A plain object without fields: what a parser's placeholder and an empty form or `{}` look like. */
function emptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return false
  for (const _ in value) return false
  return true
}

/** Most bytes a declared body may have and still honestly parse to an empty object (`{ }`, `&&`), without the bytes to look at. */
const EMPTY_BODY_MAX_BYTES = 8

/**
 * Whether the body can be one that parses to an empty object: its bytes an empty JSON object or an
 * empty form; without them, a declared length of a few bytes (a chunked body of unknown length is not).
 */
function emptyBody(raw: Buffer | string | undefined, headers: readonly string[]): boolean {
  if (raw !== undefined) return /^\s*(\{\s*\})?\s*$|^&*$/.test(typeof raw === 'string' ? raw : raw.toString('latin1'))
  const length = headerValue(headers, 'content-length')
  return length !== undefined && Number(length) <= EMPTY_BODY_MAX_BYTES
}

function refuse(code: string, message: string): never {
  warnOnce(code, `gateway-middleware: ${message}`)
  throw new GatewayError('proxy_internal_error', { phase: 'send' })
}

function multipart(contentType: string | undefined): boolean {
  return contentType !== undefined && mediaType(contentType).startsWith('multipart/')
}
