import { randomUUID } from 'node:crypto'
import { GatewayError } from '../errors/GatewayError.js'
import { headerRecord } from '../http/headerRecord.js'
import { connectionTokens, HOP_BY_HOP } from '../http/hopByHop.js'
import { isSafeRequestId } from '../http/requestId.js'
import type { ResolvedOptions } from '../options/resolveOptions.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'

/**
 * A valid `Host` value (RFC 9110 §7.2, RFC 3986 §3.2.2): an IP literal in brackets or a reg-name
 * (unreserved, sub-delims, percent-encoded octets; an IPv4 address is one too), then an optional
 * port. It may be empty (a target URI without authority).
 */
const HOST = /^(?:\[[0-9A-Za-z._~:!$&'()*+,;=-]+\]|(?:[0-9A-Za-z._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?$/

/** The headers to send upstream, and what the client asked for (for rewriting redirects). */
export interface UpstreamRequestHeaders {
  /** Flat `[name, value, …]` list, as undici takes it. */
  readonly headers: string[]
  /** The scheme the client used, as far as trusted peers say. */
  readonly clientProto: string
  /** The host the client asked for, as far as trusted peers say. */
  readonly clientHost: string | undefined
  /** Whether the request carries an `Idempotency-Key`: the client made it safe to retry. */
  readonly idempotencyKey: boolean
  /** The `X-Request-Id` sent upstream (and on the gateway's own answers): the client's if safe, else new. */
  readonly requestId: string
}

/**
 * Build the upstream request's headers in one pass over the raw header lines: end-to-end fields
 * byte-for-byte, hop-by-hop ones (and all that `Connection` names) removed, `Host` set to the
 * target's unless `preserveHost`, `X-Forwarded-*` appended to only when the peer is trusted, and
 * `Via` added, and `X-Request-Id` kept when it is a safe token, else replaced by a new UUID (so logs
 * on both sides correlate). `rewriteRequestHeaders` runs last, and the hop-by-hop rules apply to its result too.
 *
 * Throws a `GatewayError` `request_host_invalid` (400) when the request has more than one `Host`
 * field line or a `Host` value that is not `host[:port]` (RFC 9112 §3.2 MUST): Node's parser
 * lets both through, and which of two hosts was meant cannot be known (with `preserveHost`, undici
 * would refuse the second one).
 */
export function upstreamRequestHeaders(request: GatewayRequest, options: ResolvedOptions): UpstreamRequestHeaders {
  const raw = request.rawHeaders
  const trusted =
    options.trust !== undefined && request.remoteAddress !== undefined && options.trust(request.remoteAddress, 0)
  let headers: string[] = []
  let named: Set<string> | undefined
  let host: string | undefined
  let forwardedFor: string | undefined
  let forwardedProto: string | undefined
  let forwardedHost: string | undefined
  let idempotencyKey = false
  let requestId: string | undefined
  // HTTP/2 sends names in lower case anyway; given in lower case, undici joins a field repeated in
  // different case into one (Node's HTTP/2 client throws on a single-value field given twice)
  const lowerNames = options.http2

  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') {
        named = connectionTokens(value, named)
      }
      continue
    }
    switch (lower) {
      case 'host':
        if (host !== undefined || !HOST.test(value)) throw new GatewayError('request_host_invalid')
        host = value
        if (!options.preserveHost) continue
        break
      case 'expect':
        // Node's server already answered 100-continue; undici refuses the field
        continue
      case 'x-forwarded-for':
        if (trusted) forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`
        continue
      case 'x-forwarded-proto':
        if (trusted) forwardedProto ??= value.split(',', 1)[0]?.trim()
        continue
      case 'x-forwarded-host':
        if (trusted) forwardedHost ??= value.split(',', 1)[0]?.trim()
        continue
      case 'forwarded':
        if (!trusted) continue
        break
      case 'idempotency-key':
        idempotencyKey = true
        break
      case 'x-request-id':
        // one id, and only one that is safe to log and echo
        if (requestId === undefined && isSafeRequestId(value)) requestId = value
        continue
    }
    headers.push(lowerNames ? lower : name, value)
  }
  if (named !== undefined && named.size > 0) headers = withoutNamed(headers, named)

  const peer = request.remoteAddress ?? 'unknown'
  const clientProto = forwardedProto || (request.encrypted ? 'https' : 'http')
  const clientHost = forwardedHost || host
  headers.push(
    'x-forwarded-for',
    forwardedFor === undefined ? peer : `${forwardedFor}, ${peer}`,
    'x-forwarded-proto',
    clientProto,
  )
  if (clientHost !== undefined) headers.push('x-forwarded-host', clientHost)
  headers.push('via', `${request.httpVersion === '2.0' ? '2' : request.httpVersion} ${options.proxyName}`)
  requestId ??= randomUUID()
  headers.push('x-request-id', requestId)

  if (options.rewriteRequestHeaders !== undefined) {
    headers = sanitise(options.rewriteRequestHeaders(headerRecord(headers), request), lowerNames)
  }
  return { headers, clientProto, clientHost, idempotencyKey, requestId }
}

function withoutNamed(headers: string[], named: ReadonlySet<string>): string[] {
  const kept: string[] = []
  for (let i = 0; i < headers.length; i += 2) {
    if (!named.has((headers[i] as string).toLowerCase())) kept.push(headers[i] as string, headers[i + 1] as string)
  }
  return kept
}

/** Flatten a hook's result, applying the hop-by-hop rules again (and lower-casing names for HTTP/2). */
function sanitise(record: Record<string, string | string[]>, lowerNames: boolean): string[] {
  const headers: string[] = []
  for (const key of Object.keys(record)) {
    const lower = key.toLowerCase()
    if (HOP_BY_HOP.has(lower) || lower === 'expect') continue
    const value = record[key]
    const name = lowerNames ? lower : key
    if (Array.isArray(value)) for (const item of value) headers.push(name, String(item))
    else if (value !== undefined) headers.push(name, String(value))
  }
  return headers
}
