/** The request-target as the core wants it, and the part of it the prefix matched. */
export interface StrippedUrl {
  /** Request-target after the prefix, starting with `/`, query string byte-for-byte: `/users?id=1`. */
  readonly url: string
  /** The prefix as the client spelled it (`''` for none), for rewriting redirects. */
  readonly mountPath: string
}

/**
 * Strip the registered prefix from a request URL (Fastify's `request.url` is the full
 * request-target). Fastify's router matches the decoded path, so the client may have spelled the
 * prefix differently (`/my%20api` for `/my api`, `/%61pi` for `/api`, another case or repeated
 * slashes when the router is told to ignore those): then as many path segments as the prefix has
 * are stripped. `%2F` is never decoded for matching, so segments line up. The query string is kept
 * byte-for-byte; without a prefix the URL is passed on as received (the core turns any
 * request-target into a path on the target).
 */
export function stripPrefix(url: string, prefix: string): StrippedUrl {
  if (prefix === '') return { url, mountPath: '' }
  const end = prefixEnd(url, prefix)
  const rest = url.slice(end)
  return { url: rest.charCodeAt(0) === 47 /* / */ ? rest : `/${rest}`, mountPath: url.slice(0, end) }
}

/** Where the prefix ends in `url`. */
function prefixEnd(url: string, prefix: string): number {
  if (url.startsWith(prefix)) {
    const next = url.charCodeAt(prefix.length)
    if (Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */) return prefix.length
  }
  const queryAt = url.indexOf('?')
  const pathEnd = queryAt === -1 ? url.length : queryAt
  let segments = prefix.split('/').filter((segment) => segment !== '').length
  let i = 0
  while (segments > 0 && i < pathEnd) {
    while (i < pathEnd && url.charCodeAt(i) === 47) i++
    while (i < pathEnd && url.charCodeAt(i) !== 47) i++
    segments--
  }
  return i
}
