import { validateHeaderName, validateHeaderValue } from 'node:http'
import { GatewayError } from '../errors/GatewayError.js'
import type { HeaderRecord } from '../http/headerRecord.js'
import { connectionTokens, HOP_BY_HOP } from '../http/hopByHop.js'
import type { ResolvedOptions, ResolvedTarget } from '../options/resolveOptions.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import { rewriteSetCookie } from './rewriteSetCookie.js'
import type { UpstreamRequestHeaders } from './upstreamRequestHeaders.js'

/** Header values Node's `ServerResponse` would refuse. */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/**
 * The upstream's response headers as sent to the client: values byte-for-byte (latin1, as on the
 * wire), repeated fields (several `Set-Cookie`) kept apart, hop-by-hop fields and all that
 * `Connection` names removed, and `Location`/`Content-Location` that point at the target rewritten
 * to the client-facing origin and mount path, so the internal address never leaks through a
 * redirect; each `Set-Cookie` gets its `Domain`/`Path` rewritten when `rewriteCookies` asks (one
 * resolved-option check per field when it does not). `rewriteResponseHeaders` runs last; the hop-by-hop rules apply to its result too.
 */
export function clientResponseHeaders(
  raw: readonly Buffer[],
  request: GatewayRequest,
  sent: UpstreamRequestHeaders,
  target: ResolvedTarget,
  options: ResolvedOptions,
): HeaderRecord {
  let headers: HeaderRecord = {}
  let named: Set<string> | undefined
  const cookies = options.rewriteCookies
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase()
    let value = (raw[i + 1] as Buffer).toString('latin1')
    // a value Node's ServerResponse would refuse (it throws): an invalid response
    if (INVALID_HEADER_VALUE.test(value)) throw new GatewayError('http_protocol_error', { phase: 'headers' })
    if (HOP_BY_HOP.has(name)) {
      if (name === 'connection') {
        named = connectionTokens(value, named)
      }
      continue
    }
    if (name === 'location' || name === 'content-location') value = rewriteLocation(value, request, sent, target)
    else if (cookies !== undefined && name === 'set-cookie') value = rewriteSetCookie(value, cookies)
    const existing = headers[name]
    if (existing === undefined) headers[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else headers[name] = [existing, value]
  }
  if (named !== undefined) for (const name of named) delete headers[name]
  // one message, one type: a repeated Content-Type is an invalid response (RFC 9110 §8.3)
  if (Array.isArray(headers['content-type'])) throw new GatewayError('http_protocol_error', { phase: 'headers' })
  if (options.rewriteResponseHeaders !== undefined) {
    headers = options.rewriteResponseHeaders(headers, request)
    for (const name of Object.keys(headers)) {
      if (HOP_BY_HOP.has(name.toLowerCase())) {
        delete headers[name]
        continue
      }
      // a name or value Node would refuse is a bug in the hook: a 500 now, not a broken response later
      validateHeaderName(name)
      const value = headers[name] as string | string[]
      for (const item of Array.isArray(value) ? value : [value]) validateHeaderValue(name, item)
    }
  }
  return headers
}

/**
 * Rewrite an absolute URL on the target to the client-facing origin and mount path (what nginx's
 * `proxy_redirect default` does). Relative values and other origins are left alone.
 */
function rewriteLocation(
  value: string,
  request: GatewayRequest,
  sent: UpstreamRequestHeaders,
  target: ResolvedTarget,
): string {
  const { origin, basePath } = target
  if (sent.clientHost === undefined || value.length < origin.length) return value
  if (value.slice(0, origin.length).toLowerCase() !== origin) return value
  let rest = value.slice(origin.length)
  const next = rest.charCodeAt(0)
  if (rest !== '' && next !== 47 /* / */ && next !== 63 /* ? */ && next !== 35 /* # */) return value
  if (basePath !== '' && rest.startsWith(basePath)) {
    const after = rest.charCodeAt(basePath.length)
    if (Number.isNaN(after) || after === 47 || after === 63 || after === 35) rest = rest.slice(basePath.length)
  }
  if (rest.charCodeAt(0) !== 47) rest = `/${rest}`
  return `${sent.clientProto}://${sent.clientHost}${request.mountPath}${rest}`
}
