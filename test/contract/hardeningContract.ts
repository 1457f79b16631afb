import { describe, expect, it } from 'vitest'
import type { FaultUpstream } from '../helpers/faultUpstream.js'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { faultStormContract } from './faultStormContract.js'
import { fuzzedUpstreamContract } from './fuzzedUpstreamContract.js'
import { type BuildApp, gateway, upstream } from './harness.js'

/**
 * Send raw bytes to a gateway in front of a fresh upstream: the answer's status (0 when the
 * connection closed without one), and the upstream, to see what reached it.
 */
async function sendRaw(build: BuildApp, request: string): Promise<{ status: number; up: FaultUpstream }> {
  const up = await upstream()
  const app = await gateway(build, '', { target: up.url })
  const { raw } = await rawRequest(app.port, request)
  return { status: raw.length === 0 ? 0 : parseRawResponse(raw).status, up }
}

/** Hostile clients, malformed upstreams and a storm of every failure at once, through a real framework. */
export function hardeningContract(build: BuildApp): void {
  hostileClientContract(build)
  fuzzedUpstreamContract(build)
  faultStormContract(build)
}

/** Requests meant to smuggle, to reach another origin or to be reflected: refused or made harmless. */
function hostileClientContract(build: BuildApp): void {
  describe('hostile clients', () => {
    it.each([
      [
        'Content-Length with Transfer-Encoding',
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n',
      ],
      [
        'two different Content-Length values',
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\nConnection: close\r\n\r\nabcd',
      ],
      [
        'obs-fold in a header',
        'GET /echo HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      ],
      [
        'a bare LF line ending in the request head',
        'GET /echo HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nConnection: close\n\n0\n\n',
      ],
      [
        'an invalid chunk size',
        'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      ],
    ])('request smuggling (%s): refused before the gateway, the upstream never sees it', async (_name, request) => {
      const { status, up } = await sendRaw(build, request)
      expect([0, 400]).toContain(status)
      expect(up.requests.filter((r) => r.url.startsWith('/admin'))).toEqual([])
      if (!request.includes('zz')) expect(up.hits('/echo')).toBe(0)
    })

    it('a chunked body is re-framed by the gateway: the upstream sees exactly the bytes the gateway parsed', async () => {
      const up = await upstream()
      const server = await gateway(build, '', { target: up.url })
      const { raw } = await rawRequest(
        server.port,
        'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
      )
      const seen = JSON.parse(parseRawResponse(raw).body.toString('utf8'))
      expect(seen.bodyLength).toBe(11)
      expect(seen.headers['transfer-encoding']).toBe('chunked')
      expect(seen.headers['content-length']).toBeUndefined()
    })

    it.each([
      ['CR in the path', 'GET /echo\r/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      ['LF in the path', 'GET /echo\n/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
      [
        'a space-split absolute-form target',
        'GET http://evil.example /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      ],
    ])('SSRF: %s never reaches another origin', async (_name, request) => {
      const { status, up } = await sendRaw(build, request)
      expect([0, 400, 404, 502]).toContain(status)
      expect(up.requests.every((r) => r.headers.host === `127.0.0.1:${up.port}`)).toBe(true)
    })

    it('oversized request headers get 431 before the upstream is contacted', async () => {
      const { status, up } = await sendRaw(
        build,
        `GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      )
      expect(status).toBe(431)
      expect(up.hits('/echo')).toBe(0)
    })

    it('HTML in the path is never reflected into a gateway answer', async () => {
      const server = await gateway(build, '', { target: await refusedUrl() })
      const { raw } = await rawRequest(
        server.port,
        'GET /%3Cscript%3Ealert(1)%3C/script%3E<img> HTTP/1.1\r\nHost: <b>x</b>\r\nConnection: close\r\n\r\n',
      )
      const text = raw.toString('latin1')
      expect(text).not.toMatch(/<script|<img|<b>|alert\(1\)/i)
    })
  })
}
