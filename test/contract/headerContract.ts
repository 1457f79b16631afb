import { describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../helpers/faultUpstream.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

/** The header rules of a correct intermediary, in both directions. */
export function headerContract(build: BuildApp): void {
  describe('request headers', () => {
    async function forwarded(
      options: Parameters<BuildApp>[1] extends infer O ? Partial<O> : never,
      headers: Record<string, string | string[]>,
      method = 'GET',
      body?: string,
    ) {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, ...options })
      const res = await send(`${app.url}/echo`, { method, headers, ...(body === undefined ? {} : { body }) })
      expect(res.status).toBe(200)
      return { seen: JSON.parse(res.text) as RecordedRequest, app, up }
    }

    it('removes hop-by-hop fields and every field Connection names', async () => {
      const { seen } = await forwarded(
        {},
        {
          connection: 'keep-alive, x-secret-hop',
          'x-secret-hop': '1',
          'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive',
          te: 'trailers',
          'proxy-authorization': 'Basic Zm9vOmJhcg==',
          'x-end-to-end': 'kept',
        },
      )
      for (const name of ['x-secret-hop', 'keep-alive', 'proxy-connection', 'te', 'proxy-authorization']) {
        expect(seen.headers[name], name).toBeUndefined()
      }
      expect(seen.headers['x-end-to-end']).toBe('kept')
    })

    it('a Connection header cannot strip the forwarding headers, Host or Content-Length', async () => {
      const { seen } = await forwarded(
        {},
        { connection: 'x-forwarded-for, via, host, content-length', 'content-type': 'text/plain' },
        'POST',
        'hello',
      )
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1')
      expect(seen.headers.via).toBe('1.1 gateway-middleware')
      expect(seen.headers.host).toBeDefined()
      expect(seen.headers['content-length']).toBe('5')
      expect(seen.bodyLength).toBe(5)
    })

    it('drops Expect (Node answered 100-continue) and still forwards the body', async () => {
      const { seen } = await forwarded({}, { expect: '100-continue', 'content-length': '5' }, 'PUT', 'hello')
      expect(seen.headers.expect).toBeUndefined()
      expect(seen.bodyLength).toBe(5)
    })

    it('sends the target Host by default and the client Host with preserveHost', async () => {
      const plain = await forwarded({}, { host: 'public.example' })
      expect(plain.seen.headers.host).toBe(`127.0.0.1:${plain.up.port}`)
      expect(plain.seen.headers['x-forwarded-host']).toBe('public.example')
      const preserved = await forwarded({ preserveHost: true }, { host: 'public.example' })
      expect(preserved.seen.headers.host).toBe('public.example')
    })

    it('adds Via and keeps an incoming one', async () => {
      const { seen } = await forwarded({}, { via: '1.1 cdn' })
      expect(seen.headers.via).toBe('1.1 cdn, 1.1 gateway-middleware')
    })

    it('spoofed X-Forwarded-* from an untrusted peer are replaced, not appended to', async () => {
      const { seen } = await forwarded(
        {},
        {
          'x-forwarded-for': '6.6.6.6',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'evil.example',
          forwarded: 'for=6.6.6.6',
          host: 'public.example',
        },
      )
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1')
      expect(seen.headers['x-forwarded-proto']).toBe('http')
      expect(seen.headers['x-forwarded-host']).toBe('public.example')
      expect(seen.headers.forwarded).toBeUndefined()
    })

    it('X-Forwarded-* from a trusted peer are kept and appended to', async () => {
      const { seen } = await forwarded(
        { trustProxy: 'loopback' },
        {
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'shop.example',
          forwarded: 'for=203.0.113.7',
        },
      )
      expect(seen.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1')
      expect(seen.headers['x-forwarded-proto']).toBe('https')
      expect(seen.headers['x-forwarded-host']).toBe('shop.example')
      expect(seen.headers.forwarded).toBe('for=203.0.113.7')
    })

    it('passes end-to-end headers byte-for-byte, repeated ones included', async () => {
      const { seen } = await forwarded(
        {},
        { 'content-type': 'text/plain', 'x-multi': ['a', 'b'], cookie: 'a=1; b=2' },
        'POST',
        'x',
      )
      expect(seen.headers['content-type']).toBe('text/plain')
      expect(seen.headers.cookie).toBe('a=1; b=2')
      const multi = seen.rawHeaders.filter((_, i) => i % 2 === 1 && seen.rawHeaders[i - 1]?.toLowerCase() === 'x-multi')
      expect(multi).toEqual(['a', 'b'])
    })

    it('rewriteRequestHeaders can add headers but not reintroduce hop-by-hop fields', async () => {
      const { seen } = await forwarded(
        {
          rewriteRequestHeaders: (headers) => ({
            ...headers,
            authorization: 'Bearer internal',
            'transfer-encoding': 'chunked',
            connection: 'close',
          }),
        },
        {},
      )
      expect(seen.headers.authorization).toBe('Bearer internal')
      expect(seen.headers['transfer-encoding']).toBeUndefined()
    })
  })

  describe('response headers', () => {
    it('removes hop-by-hop fields and every field Connection names', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/hop-by-hop`)
      expect(res.status).toBe(200)
      expect(res.headers['x-secret-hop']).toBeUndefined()
      expect(res.headers['proxy-authenticate']).toBeUndefined()
      expect(res.headers.trailer).toBeUndefined()
      expect(res.headers['x-end-to-end']).toBe('kept')
      expect(res.text).toBe('ok')
    })

    it('keeps Content-Type exactly and several Set-Cookie fields apart', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/cookies`)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly'])
    })

    it('rewrites a Location on the target to the client-facing origin and mount path', async () => {
      const up = await upstream()
      const app = await gateway(build, '/api', { target: up.url })
      const to = encodeURIComponent(`${up.url}/next?a=1`)
      const res = await send(`${app.url}/api/redirect?to=${to}`, { headers: { host: 'public.example' } })
      expect(res.status).toBe(302)
      expect(res.headers.location).toBe('http://public.example/api/next?a=1')
      expect(res.headers['content-location']).toBe('http://public.example/api/next?a=1')
      expect(JSON.stringify(res.headers)).not.toContain(String(up.port))
    })

    it('leaves a Location on another origin or a relative one alone', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const other = await send(`${app.url}/redirect?to=${encodeURIComponent('https://elsewhere.example/x')}`)
      expect(other.headers.location).toBe('https://elsewhere.example/x')
      const relative = await send(`${app.url}/redirect?to=${encodeURIComponent('/login')}`)
      expect(relative.headers.location).toBe('/login')
    })

    it('rewriteResponseHeaders can change headers but not reintroduce hop-by-hop fields', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        rewriteResponseHeaders: (headers) => ({ ...headers, 'x-added': 'yes', 'keep-alive': 'timeout=999' }),
      })
      const res = await send(`${app.url}/ok`)
      expect(res.headers['x-added']).toBe('yes')
      expect(res.headers['keep-alive']).not.toBe('timeout=999')
    })
  })
}
