import { promisify } from 'node:util'
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib'
import { GatewayError } from '../errors/GatewayError.js'
import type { WarningEvent } from '../events/GatewayEvents.js'
import { type HeaderRecord, headerRecord } from '../http/headerRecord.js'
import { mediaType } from '../http/mediaType.js'
import type { ResolvedRewriteBody } from '../options/resolveOptions.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import type { UpstreamBody } from '../upstream/UpstreamBody.js'
import type { UpstreamResponse } from '../upstream/UpstreamExchange.js'

type Decoder = (body: Buffer, options: ZlibOptions) => Promise<Buffer>

/**
 * The content codings the gateway decodes (Node 20's zlib has no zstd). `deflate` is the zlib format
 * (RFC 9110 §8.4.1.2), but some servers send raw deflate: its first two bytes tell them apart.
 */
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', (body, options) => (zlibHeader(body) ? promisify(inflate) : promisify(inflateRaw))(body, options)],
  ['br', promisify(brotliDecompress)],
])

/** Fields that describe the upstream's bytes, not the rewritten ones. */
const STALE_FIELDS = [
  'content-encoding',
  'transfer-encoding',
  'accept-ranges',
  'content-md5',
  'digest',
  'content-digest',
  'repr-digest',
]

/** Whether `rewriteResponseBody` rewrites a response of this `Content-Type`: its media type listed, exactly or as `type/*`. */
export function rewritesType(contentType: string | string[] | undefined, rewrite: ResolvedRewriteBody): boolean {
  if (typeof contentType !== 'string') return false
  const type = mediaType(contentType)
  if (rewrite.types.has(type)) return true
  if (rewrite.wildcards.size === 0) return false
  const slash = type.indexOf('/')
  return slash > 0 && rewrite.wildcards.has(type.slice(0, slash))
}

/**
 * The body the client gets of a response `rewriteResponseBody` rewrites: the upstream's collected (up
 * to `limit` bytes, before and after decoding), decoded from its content codings, and handed to
 * `rewrite`. The rewritten body is whole, so it goes with headers changed to its framing: its own
 * `Content-Length`, no `Content-Encoding` or `Transfer-Encoding`, the `ETag` made weak (conditional
 * requests still work, as `If-None-Match` compares weakly; a strong tag would claim the bytes are
 * the upstream's), and no `Accept-Ranges` or digest fields, which describe the upstream's bytes.
 *
 * Left alone (the upstream's body, untouched, streaming on; `warn` told): a body over the limit
 * (what was collected goes out first, then the rest), or in a coding the gateway cannot decode.
 * Rejects with a `GatewayError` when the body failed on the way, or its coding was corrupt (502
 * `http_protocol_error`: nothing was sent yet, and a body that is not what its `Content-Encoding`
 * says is not a valid response); with what `rewrite` threw, which is the app's bug.
 */
export async function rewriteResponseBody(
  response: UpstreamResponse,
  headers: HeaderRecord,
  request: GatewayRequest,
  rewrite: ResolvedRewriteBody,
  warn: (code: WarningEvent['code']) => void,
): Promise<{ headers: HeaderRecord; body: Buffer | UpstreamBody }> {
  const codings = contentCodings(headers['content-encoding'])
  if (codings === undefined) {
    warn('response_encoding_unsupported')
    return { headers, body: response.takeComplete() ?? response.body }
  }
  const { limit } = rewrite
  const raw = response.takeComplete() ?? (await collect(response.body, limit))
  if (raw === undefined || raw.length > limit) {
    warn('response_body_over_limit')
    return { headers, body: raw ?? response.body }
  }
  let decoded = raw
  try {
    for (let i = codings.length - 1; i >= 0; i--) {
      decoded = await (DECODERS.get(codings[i] as string) as Decoder)(decoded, { maxOutputLength: limit })
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      warn('response_body_over_limit')
      return { headers, body: raw }
    }
    throw new GatewayError('http_protocol_error', { phase: 'body', cause: error })
  }
  const result = await rewrite.rewrite(decoded, {
    status: response.statusCode,
    headers,
    request: { method: request.method, url: request.url, headers: headerRecord(request.rawHeaders) },
  })
  const body = bytesOf(result)
  // a copy: what rewrite was told stays as it was
  const framed = { ...headers }
  for (const name of STALE_FIELDS) delete framed[name]
  framed['content-length'] = String(body.length)
  const etag = framed.etag
  if (typeof etag === 'string' && !etag.startsWith('W/')) framed.etag = `W/${etag}`
  return { headers: framed, body }
}

/**
 * Read a body to its end if it is no longer than `limit`; `undefined` once it is longer, with what
 * was read put back at its front, so the body streams on whole. Rejects when the body fails.
 */
function collect(body: UpstreamBody, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = () => {
      body.off('readable', onReadable)
      body.off('end', onEnd)
      body.off('error', onError)
      body.off('close', onClose)
    }
    const onReadable = () => {
      for (let chunk = body.read() as Buffer | null; chunk !== null; chunk = body.read() as Buffer | null) {
        chunks.push(chunk)
        size += chunk.length
        if (size > limit) {
          done()
          body.unshift(Buffer.concat(chunks, size))
          resolve(undefined)
          return
        }
      }
    }
    const onEnd = () => {
      done()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = (error: Error) => {
      done()
      reject(error)
    }
    // destroyed without an error: abandoned (the client left)
    const onClose = () => onError(new Error('response body closed early'))
    body.on('readable', onReadable)
    body.on('end', onEnd)
    body.on('error', onError)
    body.on('close', onClose)
  })
}

/** The codings of a `Content-Encoding`, in the order applied (`identity` left out); `undefined` when one is not decoded here. */
function contentCodings(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return []
  const codings: string[] = []
  for (const item of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const coding = item.trim().toLowerCase()
    if (coding === '' || coding === 'identity') continue
    if (!DECODERS.has(coding)) return undefined
    codings.push(coding)
  }
  return codings
}

/** What `rewrite` returned, as bytes: a string as UTF-8. */
function bytesOf(result: unknown): Buffer {
  if (Buffer.isBuffer(result)) return result
  if (typeof result === 'string') return Buffer.from(result, 'utf8')
  if (result instanceof Uint8Array) return Buffer.from(result.buffer, result.byteOffset, result.byteLength)
  throw new TypeError(
    `gateway-middleware: rewriteResponseBody.rewrite must return a Buffer, Uint8Array or string, got ${typeof result}`,
  )
}

/** Whether a deflate body starts with a zlib header (RFC 1950): method 8, and a check that makes the two bytes a multiple of 31. */
function zlibHeader(body: Buffer): boolean {
  return (
    body.length >= 2 &&
    ((body[0] as number) & 0x0f) === 8 &&
    (((body[0] as number) << 8) | (body[1] as number)) % 31 === 0
  )
}
