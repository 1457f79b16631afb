/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1 and the fields every proxy treats as such), removed in
 * both directions, lower-case. They include every field HTTP/2 forbids as connection-specific
 * (RFC 9113 §8.2.2), `HTTP2-Settings` among them (it only ever rides an h2c upgrade, RFC 7540
 * §3.2.1): Node's HTTP/2 client throws on them outside any request's error handling.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
  'http2-settings',
])

/**
 * Headers a `Connection` header may never remove: the message framing, which the gateway sets
 * itself, and the host.
 */
const PROTECTED: ReadonlySet<string> = new Set(['content-length', 'host'])

/**
 * Add the tokens of a `Connection` value that name other fields to remove (`close` and
 * `keep-alive` name none) to `into`, made when first needed; returns it.
 */
export function connectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  // the usual values name nothing: skip the split
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return into
  let named = into
  for (const raw of value.split(',')) {
    const token = raw.trim().toLowerCase()
    if (token !== '' && token !== 'close' && token !== 'keep-alive' && !PROTECTED.has(token)) {
      named ??= new Set()
      named.add(token)
    }
  }
  return named
}
