import type { ResolvedAttributeRewrite, ResolvedCookieRewrite } from '../options/resolveRewriteCookies.js'

/**
 * One `Set-Cookie` value with its `Domain` and `Path` attributes rewritten in place: everything else
 * — the name and value, the other attributes, their order, spelling and spacing — kept byte-for-byte
 * (re-serialising through a cookie parser would lose the order). Attributes are read only after the
 * first `;`, so nothing in the cookie's value is ever taken for one; attribute names are matched
 * case-insensitively, and every occurrence is rewritten (a user agent uses the last).
 *
 * Left alone: `__Host-` cookies (their `Path=/` and absent `Domain` are what the prefix promises,
 * and a browser drops one that breaks it; the prefix is matched case-insensitively, as RFC 6265bis
 * does); a cookie without the attribute (a host-only cookie is already the client-facing host's, and
 * giving it a `Domain` would widen it to every subdomain); an attribute with an empty value (user
 * agents ignore it).
 */
export function rewriteSetCookie(value: string, rewrite: ResolvedCookieRewrite): string {
  let start = value.indexOf(';')
  if (start === -1 || isHostPrefixed(value)) return value
  let out = value.slice(0, start)
  let changed = false
  while (start !== -1) {
    const end = value.indexOf(';', start + 1)
    const segment = value.slice(start + 1, end === -1 ? value.length : end)
    const replaced = rewriteAttribute(segment, rewrite)
    if (replaced === segment) out += `;${segment}`
    else {
      changed = true
      if (replaced !== undefined) out += `;${replaced}`
    }
    start = end
  }
  return changed ? out : value
}

/** The attribute as it is, rewritten, or `undefined` to remove it. */
function rewriteAttribute(segment: string, rewrite: ResolvedCookieRewrite): string | undefined {
  const eq = segment.indexOf('=')
  if (eq === -1) return segment
  const name = segment.slice(0, eq).trim().toLowerCase()
  const rule: ResolvedAttributeRewrite | undefined =
    name === 'domain' ? rewrite.domain : name === 'path' ? rewrite.path : undefined
  if (rule === undefined) return segment
  const raw = segment.slice(eq + 1)
  const attribute = raw.trim()
  if (attribute === '') return segment
  const to = rule(attribute)
  if (to === undefined) return segment
  if (to === false) return undefined
  // the value replaced where it stood: the spacing around it kept
  const lead = raw.length - raw.trimStart().length
  return `${segment.slice(0, eq + 1 + lead)}${to}${raw.slice(lead + attribute.length)}`
}

/** Whether the cookie's name starts with `__Host-` (case-insensitive, leading spaces aside). */
function isHostPrefixed(value: string): boolean {
  let i = 0
  while (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9) i++
  return value.slice(i, i + 7).toLowerCase() === '__host-'
}
