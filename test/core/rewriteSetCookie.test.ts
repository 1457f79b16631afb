import { describe, expect, it } from 'vitest'
import type { CookieRewriteOptions } from '~core/options/options.js'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { resolveRewriteCookies } from '~core/options/resolveRewriteCookies.js'
import { rewriteSetCookie } from '~core/proxy/rewriteSetCookie.js'

/** `value` through `rewriteCookies: options`, resolved as at setup. */
function rewrite(options: CookieRewriteOptions, value: string): string {
  const resolved = resolveRewriteCookies(options)
  if (resolved === undefined) throw new Error('expected a rewrite')
  return rewriteSetCookie(value, resolved)
}

const DOMAIN_MAP = { domain: { 'api.internal': 'shop.example', 'old.internal': false } } as const

describe('rewriteSetCookie', () => {
  it.each<[string, CookieRewriteOptions, string, string]>([
    // a string sets every cookie's attribute, in place
    [
      'string domain, other attributes and their order kept',
      { domain: 'shop.example' },
      'sid=abc; Max-Age=60; Domain=api.internal; Path=/; Secure; HttpOnly; SameSite=Lax',
      'sid=abc; Max-Age=60; Domain=shop.example; Path=/; Secure; HttpOnly; SameSite=Lax',
    ],
    [
      'attribute names case-insensitive (domain=)',
      { domain: 'shop.example' },
      'a=1; domain=x.internal',
      'a=1; domain=shop.example',
    ],
    [
      'attribute names case-insensitive (DOMAIN=)',
      { domain: 'shop.example' },
      'a=1;DOMAIN=x.internal;path=/',
      'a=1;DOMAIN=shop.example;path=/',
    ],
    [
      'spacing around the value kept',
      { domain: 'shop.example' },
      'a=1;  Domain = x.internal ;Secure',
      'a=1;  Domain = shop.example ;Secure',
    ],
    ['string path', { path: '/api' }, 'a=1; Path=/v1; HttpOnly', 'a=1; Path=/api; HttpOnly'],
    // false removes the attribute (with its ';'), wherever it stands
    ['false removes Domain in the middle', { domain: false }, 'a=1; Domain=x.internal; Path=/', 'a=1; Path=/'],
    ['false removes Domain at the end', { domain: false }, 'a=1; Path=/; Domain=x.internal', 'a=1; Path=/'],
    ['false removes Path', { path: false }, 'a=1; Path=/v1; Secure', 'a=1; Secure'],
    // a map: the upstream's value to the client's
    ['map: a listed domain', DOMAIN_MAP, 'a=1; Domain=api.internal; Secure', 'a=1; Domain=shop.example; Secure'],
    ['map: domains compared case-insensitively', DOMAIN_MAP, 'a=1; Domain=API.Internal', 'a=1; Domain=shop.example'],
    [
      'map: a leading dot ignored (RFC 6265 §5.2.3)',
      DOMAIN_MAP,
      'a=1; Domain=.api.internal',
      'a=1; Domain=shop.example',
    ],
    ['map: false removes', DOMAIN_MAP, 'a=1; Domain=old.internal; Path=/', 'a=1; Path=/'],
    ['map: a domain not listed is kept', DOMAIN_MAP, 'a=1; Domain=other.example', 'a=1; Domain=other.example'],
    [
      "map: '*' is the fallback",
      { domain: { 'api.internal': 'shop.example', '*': false } },
      'a=1; Domain=other.example; Path=/',
      'a=1; Path=/',
    ],
    ['map: paths compared exactly', { path: { '/v1': '/api' } }, 'a=1; Path=/V1', 'a=1; Path=/V1'],
    ['map: a listed path', { path: { '/v1': '/api' } }, 'a=1; Path=/v1', 'a=1; Path=/api'],
    ['map: no prefix matching on paths', { path: { '/v1': '/api' } }, 'a=1; Path=/v1/x', 'a=1; Path=/v1/x'],
    // both at once; every occurrence (a user agent uses the last)
    [
      'domain and path together',
      { domain: 'shop.example', path: { '/v1': '/api' } },
      'a=1; Path=/v1; Domain=api.internal',
      'a=1; Path=/api; Domain=shop.example',
    ],
    [
      'every occurrence',
      { domain: 'shop.example' },
      'a=1; Domain=a.internal; Domain=b.internal',
      'a=1; Domain=shop.example; Domain=shop.example',
    ],
    // left alone
    [
      '__Host- cookies are never changed',
      { domain: false, path: '/api' },
      '__Host-sid=1; Path=/; Secure',
      '__Host-sid=1; Path=/; Secure',
    ],
    [
      '__Host- matched case-insensitively',
      { path: '/api' },
      '__HOST-sid=1; Path=/; Secure',
      '__HOST-sid=1; Path=/; Secure',
    ],
    [
      '__Secure- cookies are rewritten and stay Secure',
      { domain: 'shop.example' },
      '__Secure-sid=1; Domain=api.internal; Secure',
      '__Secure-sid=1; Domain=shop.example; Secure',
    ],
    [
      'no Domain: none added (host-only stays host-only)',
      { domain: 'shop.example' },
      'a=1; Path=/; Secure',
      'a=1; Path=/; Secure',
    ],
    ['no attributes at all', { domain: 'shop.example', path: '/api' }, 'a=1', 'a=1'],
    ['an empty Domain is left alone', { domain: 'shop.example' }, 'a=1; Domain=; Secure', 'a=1; Domain=; Secure'],
    // the name and value are never read as attributes
    [
      'a value that looks like an attribute',
      { domain: 'shop.example' },
      'domain=x.internal; Path=/',
      'domain=x.internal; Path=/',
    ],
    ['a name=value with "Domain" inside', { domain: false }, 'Domain=Domain=x; Secure', 'Domain=Domain=x; Secure'],
    [
      'attributes that merely start like Domain',
      { domain: false },
      'a=1; Domainx=1; X-Domain=2',
      'a=1; Domainx=1; X-Domain=2',
    ],
  ])('%s', (_name, options, value, expected) => {
    expect(rewrite(options, value)).toBe(expected)
  })
})

describe('rewriteCookies at setup', () => {
  const target = 'http://127.0.0.1:4000'
  it.each<[string, unknown, RegExp]>([
    ['not an object', 'shop.example', /"rewriteCookies" expected an object/],
    ['an unknown key', { domains: 'x' }, /"rewriteCookies\.domains" expected one of rewriteCookies\.domain/],
    ['a domain of the wrong type', { domain: 42 }, /"rewriteCookies\.domain" expected a domain .* got 42/],
    ['a domain that is not one', { domain: 'shop.example; Secure' }, /"rewriteCookies\.domain" expected/],
    ['true (use a string or false)', { domain: true }, /"rewriteCookies\.domain" expected .* got true/],
    ['an empty domain (use false to remove)', { domain: '' }, /"rewriteCookies\.domain" expected .* got ""/],
    ['a path without its /', { path: 'api' }, /"rewriteCookies\.path" expected a path such as '\/api'/],
    ['a path with a ;', { path: '/a;b' }, /"rewriteCookies\.path" expected/],
    [
      'a map value of the wrong type',
      { domain: { 'api.internal': 1 } },
      /"rewriteCookies\.domain\["api\.internal"\]" expected/,
    ],
    ['a map key that is no domain', { domain: { 'a b': 'x.example' } }, /"rewriteCookies\.domain key" expected/],
    ['an array', { path: ['/a'] }, /"rewriteCookies\.path" expected .* got an array/],
  ])('%s throws a TypeError naming the option', (_name, rewriteCookies, message) => {
    expect(() => resolveOptions({ target, rewriteCookies } as never)).toThrow(TypeError)
    expect(() => resolveOptions({ target, rewriteCookies } as never)).toThrow(message)
  })

  it('is proxy mode only', () => {
    expect(() => resolveOptions({ rewriteCookies: { domain: false } })).toThrow(/"rewriteCookies" expected a target/)
  })

  it('resolves to nothing when nothing is rewritten (the response path then skips Set-Cookie)', () => {
    expect(resolveOptions({ target }).rewriteCookies).toBeUndefined()
    expect(resolveOptions({ target, rewriteCookies: {} }).rewriteCookies).toBeUndefined()
  })
})
