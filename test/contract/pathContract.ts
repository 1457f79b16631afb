import { describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

/** Mount paths, target prefixes, query strings, and that no path can change the target origin. */
export function pathContract(build: BuildApp): void {
  describe('paths', () => {
    it('strips the mount path, joins the target prefix and keeps the query byte-for-byte', async () => {
      const up = await upstream()
      const app = await gateway(build, '/api', { target: `${up.url}/echo/v1` })
      const res = await send(`${app.url}/api/users/7?b=%2F&a=1&&c=%zz`)
      expect(res.status).toBe(200)
      expect((JSON.parse(res.text) as RecordedRequest).url).toBe('/echo/v1/users/7?b=%2F&a=1&&c=%zz')
    })

    it('rewritePath changes the path sent upstream', async () => {
      const up = await upstream()
      const app = await gateway(build, '/api', { target: up.url, rewritePath: (path) => `/echo${path}` })
      const res = await send(`${app.url}/api/x?q=1`)
      expect((JSON.parse(res.text) as RecordedRequest).url).toBe('/echo/x?q=1')
    })

    it.each([
      '//evil.example/x',
      '/@evil.example',
      '/%2F%2Fevil.example',
      '/\\\\evil.example',
      'http://evil.example/',
      '/..//evil.example',
    ])('request-target %s never changes the target origin', async (path) => {
      const up = await upstream()
      const app = await gateway(build, '', { target: `${up.url}/echo` })
      const { raw } = await rawRequest(
        app.port,
        `GET ${path} HTTP/1.1\r\nHost: public.example\r\nConnection: close\r\n\r\n`,
      )
      const res = parseRawResponse(raw)
      // the answer came from our upstream (or the framework refused the request): never from elsewhere
      if (res.status === 200) {
        const seen = JSON.parse(res.body.toString('utf8')) as RecordedRequest
        expect(seen.url.startsWith('/echo/')).toBe(true)
        expect(seen.headers.host).toBe(`127.0.0.1:${up.port}`)
      } else {
        expect([400, 404]).toContain(res.status)
      }
      expect(up.requests.every((r) => r.headers.host === `127.0.0.1:${up.port}`)).toBe(true)
    })
  })
}
