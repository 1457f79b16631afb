import { optionError } from '../errors/optionError.js'
import type { CookieRewriteOptions } from './options.js'

/**
 * What becomes of one attribute's value (as the upstream sent it, trimmed): the value to send,
 * `false` to remove the attribute, `undefined` to keep it as it is.
 */
export type ResolvedAttributeRewrite = (value: string) => string | false | undefined

/** `rewriteCookies`, resolved: `undefined` for an attribute that is kept. */
export interface ResolvedCookieRewrite {
  readonly domain: ResolvedAttributeRewrite | undefined
  readonly path: ResolvedAttributeRewrite | undefined
}

const KEYS = ['domain', 'path'] as const satisfies readonly (keyof CookieRewriteOptions)[]
/** The map key that stands for every value not listed (as http-proxy-middleware's `cookieDomainRewrite`). */
const FALLBACK = '*'
/** A host name or IP address, optionally with the leading dot RFC 6265 ignores. */
const DOMAIN = /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/
/** RFC 6265 path-value: any CHAR but controls and `;` (and no space, which would be trimmed), from `/`. */
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/

/** A domain as RFC 6265 compares it: case-insensitive, without its leading dot. */
export function domainKey(value: string): string {
  const lower = value.toLowerCase()
  return lower.charCodeAt(0) === 46 /* . */ ? lower.slice(1) : lower
}

/**
 * Validate `rewriteCookies` once at setup and compile each attribute's rule; `undefined` when
 * nothing is rewritten (then the response path does not look at `Set-Cookie` at all).
 */
export function resolveRewriteCookies(value: unknown): ResolvedCookieRewrite | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError('rewriteCookies', "an object such as { domain: 'shop.example', path: { '/v1': '/' } }", value)
  }
  const input = value as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw optionError(
        `rewriteCookies.${key}`,
        'one of rewriteCookies.domain, rewriteCookies.path (unknown option)',
        input[key],
      )
    }
  }
  const domain = attributeRewrite(
    input.domain,
    'rewriteCookies.domain',
    DOMAIN,
    "a domain such as 'shop.example'",
    domainKey,
  )
  const path = attributeRewrite(input.path, 'rewriteCookies.path', PATH, "a path such as '/api'", (v) => v)
  if (domain === undefined && path === undefined) return undefined
  return Object.freeze({ domain, path })
}

function attributeRewrite(
  value: unknown,
  name: string,
  valid: RegExp,
  example: string,
  key: (value: string) => string,
): ResolvedAttributeRewrite | undefined {
  if (value === undefined) return undefined
  const expected = `${example}, false to remove it, or a record from the upstream's value to the client's`
  if (value === false) return () => false
  if (typeof value === 'string') {
    if (!valid.test(value)) throw optionError(name, expected, value)
    return () => value
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw optionError(name, expected, value)
  const map = new Map<string, string | false>()
  let fallback: string | false | undefined
  for (const [from, to] of Object.entries(value)) {
    const entry = `${name}[${JSON.stringify(from)}]`
    if (to !== false && (typeof to !== 'string' || !valid.test(to))) {
      throw optionError(entry, `${example}, or false to remove it`, to)
    }
    if (from === FALLBACK) fallback = to
    else if (!valid.test(from)) throw optionError(`${name} key`, `${example} (or '*')`, from)
    else map.set(key(from), to)
  }
  return (attribute) => {
    const to = map.get(key(attribute))
    return to === undefined ? fallback : to
  }
}
