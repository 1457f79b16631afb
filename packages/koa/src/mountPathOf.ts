import type { Context } from 'koa'

/** `scheme://authority` at the start of an absolute-form request-target. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/

/**
 * The path prefix koa-mount stripped before this middleware (`''` when none): what the client's
 * request path has in front of `ctx.path`, without a trailing slash.
 *
 * koa-mount's own `ctx.mountPath` is not it: it holds only the innermost prefix (`/b` under
 * `mount('/a', mount('/b', …))`), keeps a prefix's trailing slash, and is never unset, so it is still
 * there when a mount has passed the request on to middleware outside it. It only says that
 * koa-mount ran; what it stripped is the difference between `ctx.originalUrl` and `ctx.path`.
 */
export function mountPathOf(ctx: Context): string {
  if (ctx.mountPath === undefined) return ''
  const original = pathOf(ctx.originalUrl)
  const current = ctx.path
  if (current === original) return ''
  // koa-mount cuts the prefix off the front, and turns the prefix alone (`/api`) into `/`
  let prefix: string
  if (original.endsWith(current)) prefix = original.slice(0, original.length - current.length)
  else if (current === '/') prefix = original
  else return '' // another middleware rewrote the path: no prefix can be told apart
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
}

/** The path of a request-target, as Koa's `ctx.path` reads it. */
function pathOf(requestTarget: string): string {
  const path = requestTarget.replace(ABSOLUTE_FORM, '')
  const end = path.search(/[?#]/)
  return end === -1 ? path : path.slice(0, end)
}
