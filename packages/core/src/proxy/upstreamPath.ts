import type { ResolvedOptions, ResolvedTarget } from '../options/resolveOptions.js'

/** `scheme://authority` at the start of an absolute-form request-target. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/
/** A `.` or `..` segment, plain or percent-encoded. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e)(?:\.|%2e)?(?:\/|$)/i

/**
 * The request-target sent upstream: the target's path prefix joined with the request's path (mount
 * path already stripped, `rewritePath` applied), and the query string byte-for-byte.
 *
 * The result always starts with `/` and is sent to the fixed target origin, so no request path can
 * change the origin: `//evil.example/x`, `/@evil.example`, `\\evil.example` and absolute-form
 * `http://evil.example/` all stay paths on the target. Dot segments are removed, so a path cannot
 * climb out of the target's path prefix either.
 */
export function upstreamPath(url: string, target: ResolvedTarget, options: ResolvedOptions): string {
  let requestTarget = url
  if (requestTarget.charCodeAt(0) !== 47 /* / */) {
    // absolute-form: keep only path and query; the authority is never used
    requestTarget = requestTarget.replace(ABSOLUTE_FORM, '')
  }
  const queryAt = requestTarget.indexOf('?')
  let path = queryAt === -1 ? requestTarget : requestTarget.slice(0, queryAt)
  const query = queryAt === -1 ? '' : requestTarget.slice(queryAt)
  if (DOT_SEGMENT.test(path)) path = removeDotSegments(path)
  if (options.rewritePath !== undefined) path = options.rewritePath(path)
  if (path.charCodeAt(0) !== 47) path = `/${path}`
  return target.basePath + path + query
}

/**
 * The request-target as a target function is told it: the path (mount path already stripped) with
 * its dot segments removed, as {@link upstreamPath} will send it before `rewritePath`, and the query
 * string byte-for-byte. The function routes on the path the upstream gets, so `/public/../admin`
 * is routed as the `/admin` it becomes.
 */
export function routedPath(url: string): string {
  let requestTarget = url
  if (requestTarget.charCodeAt(0) !== 47 /* / */) requestTarget = requestTarget.replace(ABSOLUTE_FORM, '')
  const queryAt = requestTarget.indexOf('?')
  const path = queryAt === -1 ? requestTarget : requestTarget.slice(0, queryAt)
  if (DOT_SEGMENT.test(path)) return removeDotSegments(path) + (queryAt === -1 ? '' : requestTarget.slice(queryAt))
  return requestTarget.charCodeAt(0) === 47 ? requestTarget : `/${requestTarget}`
}

/** RFC 3986 §5.2.4, treating `%2e` as `.`. */
function removeDotSegments(path: string): string {
  const output: string[] = []
  const segments = path.split('/')
  for (let i = 0; i < segments.length; i++) {
    const segment = (segments[i] as string).toLowerCase()
    const last = i === segments.length - 1
    if (segment === '.' || segment === '%2e') {
      if (last) output.push('')
    } else if (segment === '..' || segment === '.%2e' || segment === '%2e.' || segment === '%2e%2e') {
      if (output.length > 1) output.pop()
      if (last) output.push('')
    } else {
      output.push(segments[i] as string)
    }
  }
  const joined = output.join('/')
  return joined.charCodeAt(0) === 47 ? joined : `/${joined}`
}
