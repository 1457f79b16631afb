/**
 * What a target URL must be, when `url` is not it: `undefined` for an `http:` or `https:` URL
 * without credentials, query string or fragment. Static targets (at setup) and a target function's
 * results (per request) are held to the same rule.
 */
export function targetProblem(url: URL): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return "an http: or https: URL such as 'http://127.0.0.1:4000'"
  if (url.username !== '' || url.password !== '') {
    return 'a URL without credentials (set an Authorization header with rewriteRequestHeaders)'
  }
  if (url.search !== '' || url.hash !== '') return 'a URL without query string or fragment'
  return undefined
}

/** A target's path prefix: its path without trailing slashes (`''` for none). */
export function targetBasePath(url: URL): string {
  return url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '')
}
