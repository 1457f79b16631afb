import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, upstream } from '../contract/harness.js'
import type { FaultUpstream } from '../helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'

async function proxyTo(up: FaultUpstream) {
  const app = express()
  const gateway = gatewayMiddleware({ target: up.url })
  app.use(gateway)
  const server = await listen(createServer(app), () => gateway.close())
  onTestFinished(() => server.close())
  return server
}

/** Send raw bytes; the answer's status (0 when the connection closed without one). */
async function statusOf(port: number, request: string): Promise<number> {
  const { raw } = await rawRequest(port, request)
  return raw.length === 0 ? 0 : parseRawResponse(raw).status
}

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
    const up = await upstream()
    const server = await proxyTo(up)
    const status = await statusOf(server.port, request)
    expect([0, 400]).toContain(status)
    expect(up.requests.filter((r) => r.url.startsWith('/admin'))).toEqual([])
    if (!request.includes('zz')) expect(up.hits('/echo')).toBe(0)
  })

  it('a chunked body is re-framed by the gateway: the upstream sees exactly the bytes the gateway parsed', async () => {
    const up = await upstream()
    const server = await proxyTo(up)
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
    const up = await upstream()
    const server = await proxyTo(up)
    const status = await statusOf(server.port, request)
    expect([0, 400, 404, 502]).toContain(status)
    expect(up.requests.every((r) => r.headers.host === `127.0.0.1:${up.port}`)).toBe(true)
  })

  it('oversized request headers get 431 before the upstream is contacted', async () => {
    const up = await upstream()
    const server = await proxyTo(up)
    const status = await statusOf(
      server.port,
      `GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    )
    expect(status).toBe(431)
    expect(up.hits('/echo')).toBe(0)
  })

  it('HTML in the path is never reflected into a gateway answer', async () => {
    const server = await proxyTo({ url: 'http://127.0.0.1:1' } as FaultUpstream)
    const { raw } = await rawRequest(
      server.port,
      'GET /%3Cscript%3Ealert(1)%3C/script%3E<img> HTTP/1.1\r\nHost: <b>x</b>\r\nConnection: close\r\n\r\n',
    )
    const text = raw.toString('latin1')
    expect(text).not.toMatch(/<script|<img|<b>|alert\(1\)/i)
  })
})
