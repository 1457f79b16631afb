/** The methods the HTTP semantic conventions know (RFC 9110 and PATCH). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
])

/**
 * The conventions' `http.request.method`: the method when they know it (case-sensitive, as methods
 * are), else `_OTHER`, so that a client cannot make up series.
 */
export function requestMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER'
}
