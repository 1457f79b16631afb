import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type BuildApp, gateway, send } from './harness.js'

/** What the upstream sends: several `Set-Cookie` fields, each its own line. */
const UPSTREAM_COOKIES = [
  'sid=abc; Max-Age=60; Domain=api.internal; Path=/v1; Secure; HttpOnly; SameSite=Lax',
  'theme=dark; path=/v1/ui; domain=.API.internal',
  '__Host-csrf=t0k3n; Path=/; Secure',
  '__Secure-pref=1; Domain=api.internal; Secure',
  'hostonly=1; Path=/v1',
  'tracking=1; Domain=ads.internal; Path=/',
]

/** A real upstream that answers every request with {@link UPSTREAM_COOKIES}; closed when the test ends. */
async function cookieUpstream(): Promise<string> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain')
    res.setHeader('set-cookie', UPSTREAM_COOKIES)
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The client's `Set-Cookie` lines, in order, exactly as they arrived. */
function setCookieLines(rawHeaders: string[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === 'set-cookie') lines.push(rawHeaders[i + 1] as string)
  }
  return lines
}

/** `rewriteCookies`: Set-Cookie Domain and Path rewritten in place; off by default. */
export function cookieContract(build: BuildApp): void {
  describe('rewriteCookies', () => {
    it('without it, several Set-Cookie fields pass byte-for-byte, each its own line, in order', async () => {
      const app = await gateway(build, '/api', { target: await cookieUpstream() })
      const res = await send(`${app.url}/api/x`)
      expect(res.status).toBe(200)
      expect(setCookieLines(res.rawHeaders)).toEqual(UPSTREAM_COOKIES)
    })

    it('rewrites Domain and Path in place on every Set-Cookie, which stay separate lines', async () => {
      const app = await gateway(build, '/api', {
        target: await cookieUpstream(),
        rewriteCookies: {
          domain: { 'api.internal': 'shop.example', '*': false },
          path: { '/v1': '/api', '/v1/ui': '/api/ui' },
        },
      })
      const res = await send(`${app.url}/api/x`)
      expect(res.status).toBe(200)
      expect(res.text).toBe('ok')
      expect(setCookieLines(res.rawHeaders)).toEqual([
        'sid=abc; Max-Age=60; Domain=shop.example; Path=/api; Secure; HttpOnly; SameSite=Lax',
        'theme=dark; path=/api/ui; domain=shop.example',
        '__Host-csrf=t0k3n; Path=/; Secure',
        '__Secure-pref=1; Domain=shop.example; Secure',
        'hostonly=1; Path=/api',
        'tracking=1; Path=/',
      ])
    })

    it('a __Host- cookie is never changed, even by rules that would match it', async () => {
      const app = await gateway(build, '', {
        target: await cookieUpstream(),
        rewriteCookies: { domain: 'shop.example', path: '/api' },
      })
      const res = await send(`${app.url}/x`)
      const lines = setCookieLines(res.rawHeaders)
      expect(lines).toContain('__Host-csrf=t0k3n; Path=/; Secure')
      // and a host-only cookie is not given a Domain (that would widen it to every subdomain)
      expect(lines).toContain('hostonly=1; Path=/api')
    })

    it('removes the internal domain so the cookie binds to the client-facing host (no internal name leaks)', async () => {
      const app = await gateway(build, '', { target: await cookieUpstream(), rewriteCookies: { domain: false } })
      const res = await send(`${app.url}/x`)
      const lines = setCookieLines(res.rawHeaders)
      expect(lines).toHaveLength(UPSTREAM_COOKIES.length)
      expect(lines.join('\n')).not.toMatch(/internal/i)
    })
  })
}
