import { createServer, type IncomingHttpHeaders } from 'node:http'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import type { GatewayError } from '@gateway-middleware/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { RecordedRequest } from '../helpers/faultUpstream.js'
import { type ParsedRawResponse, parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { type BuildApp, expectGatewayAnswer, expectNoLeak, gateway, send, upstream } from './harness.js'

/** The methods the gateway's 405 names in `Allow`: the ones it passes on. */
const ALLOW = 'GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH'

/** Settings of an h2c upgrade (RFC 7540 §3.2), base64url. */
const HTTP2_SETTINGS = 'AAMAAABkAARAAAAAAAIAAAAA'

/**
 * An upstream that switches protocols whenever it is asked to: its 'upgrade' listener answers 101,
 * ordinary requests get 200 with the headers it saw. A gateway that passed an upgrade on would
 * hand the client this 101.
 */
async function upgradingUpstream(): Promise<{
  port: number
  url: string
  plain: IncomingHttpHeaders[]
  upgrades: () => number
}> {
  const plain: IncomingHttpHeaders[] = []
  let upgrades = 0
  const server = createServer((req, res) => {
    plain.push(req.headers)
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(req.headers))
  })
  server.on('upgrade', (req, socket: Socket) => {
    upgrades++
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\n\r\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as AddressInfo
  return { port, url: `http://127.0.0.1:${port}`, plain, upgrades: () => upgrades }
}

/** An upstream that answers every request with a 101 it was never asked for. */
async function rogueSwitchingUpstream(): Promise<{ url: string; connections: () => number }> {
  let connections = 0
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('data', () =>
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections }
}

/** The raw answer's text, checked to hold no interim or final 101. */
function expectNoSwitch(raw: Buffer): void {
  expect(raw.toString('latin1')).not.toMatch(/^HTTP\/1\.[01] 101/m)
}

/** A raw answer that is the gateway's own, for `code`, leaking nothing. */
function expectRawGatewayAnswer(res: ParsedRawResponse, raw: Buffer, status: number, code: string): void {
  expect(res.status).toBe(status)
  expect(res.headers['proxy-status']).toBe(`gateway-middleware; error=${code}`)
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
  expectNoLeak(raw.toString('latin1'))
}

/**
 * The edge: requests a gateway must refuse, or must not let through as they came, in every
 * framework. Nothing of a refused request reaches the upstream.
 */
export function edgeContract(build: BuildApp): void {
  describe('the edge', () => {
    describe('Host (RFC 9112 §3.2: 400 for more than one Host line or an invalid value)', () => {
      it.each([false, true])(
        'two Host fields -> 400 request_host_invalid, nothing forwarded (preserveHost: %s)',
        async (preserveHost) => {
          const up = await upstream()
          const app = await gateway(build, '', { target: up.url, preserveHost })
          // a keep-alive request: the gateway closes the connection itself, as for every client failure
          const { raw, closedBy } = await rawRequest(
            app.port,
            'GET /echo HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n',
            { timeoutMs: 3000 },
          )
          // Node's parser lets the request through: the answer is the gateway's, not Node's bare 400
          const res = parseRawResponse(raw)
          expectRawGatewayAnswer(res, raw, 400, 'http_request_error')
          expect(res.headers.connection).toBe('close')
          expect(closedBy).not.toBe('timeout')
          expect(up.requests).toEqual([])
        },
      )

      it.each(['a b', 'a/b', 'user@a.example', '<b>x</b>', 'a.example:80x', 'a.example:1:2', '[::1'])(
        'an invalid Host value %j -> 400 request_host_invalid, nothing forwarded',
        async (host) => {
          const up = await upstream()
          const app = await gateway(build, '', { target: up.url, preserveHost: true })
          const { raw } = await rawRequest(app.port, `GET /echo HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
          expectRawGatewayAnswer(parseRawResponse(raw), raw, 400, 'http_request_error')
          expect(up.requests).toEqual([])
        },
      )

      it.each([
        'public.example',
        'public.example:8080',
        '192.0.2.1:80',
        '[2001:db8::1]:443',
        'xn--bcher-kva.example',
        '',
      ])('a valid Host %j is forwarded as it came (preserveHost)', async (host) => {
        const up = await upstream()
        const app = await gateway(build, '', { target: up.url, preserveHost: true })
        const { raw } = await rawRequest(app.port, `GET /echo HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
        const res = parseRawResponse(raw)
        expect(res.status).toBe(200)
        expect((JSON.parse(res.body.toString('utf8')) as RecordedRequest).headers.host).toBe(host)
      })
    })

    describe('TRACE (cross-site tracing)', () => {
      it('TRACE -> 405 request_method_not_allowed with Allow, never forwarded', async () => {
        const up = await upstream()
        const app = await gateway(build, '', { target: up.url })
        const res = await send(`${app.url}/echo`, { method: 'TRACE', headers: { cookie: 'session=secret' } })
        expectGatewayAnswer(res, 405, 'http_request_denied', up.port)
        expect(res.headers.allow).toBe(ALLOW)
        expect(res.text).not.toContain('secret')
        expect(up.requests).toEqual([])
      })

      it('TRACE as problem+json names http_request_denied', async () => {
        const up = await upstream()
        const app = await gateway(build, '', { target: up.url })
        const res = await send(`${app.url}/echo`, { method: 'TRACE', headers: { accept: 'application/problem+json' } })
        expectGatewayAnswer(res, 405, 'http_request_denied', up.port, 'application/problem+json')
        expect(JSON.parse(res.text)).toMatchObject({ status: 405, proxyStatus: 'http_request_denied' })
        expect(up.requests).toEqual([])
      })

      it('allowTrace: true -> TRACE is forwarded', async () => {
        const up = await upstream()
        const app = await gateway(build, '', { target: up.url, allowTrace: true })
        const res = await send(`${app.url}/echo`, { method: 'TRACE' })
        expect(res.status).toBe(200)
        expect((JSON.parse(res.text) as RecordedRequest).method).toBe('TRACE')
      })
    })

    describe('CONNECT (never a tunnel in a reverse proxy)', () => {
      it('CONNECT -> the connection is closed, nothing forwarded, no 2xx, never a tunnel', async () => {
        const up = await upstream()
        const app = await gateway(build, '', { target: up.url })
        // asks for a tunnel to the upstream itself, then sends a request through it: a tunnel would
        // show as that request arriving upstream
        const authority = `127.0.0.1:${up.port}`
        const { raw, closedBy } = await rawRequest(
          app.port,
          `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          { timeoutMs: 3000 },
        )
        expect(closedBy).not.toBe('timeout')
        if (raw.length > 0) {
          const res = parseRawResponse(raw)
          expect(res.status).toBeGreaterThanOrEqual(400)
          expectNoLeak(raw.toString('latin1'))
        }
        expect(up.requests).toEqual([])
      })
    })

    describe('upgrades the gateway does not proxy', () => {
      it.each([
        ['h2c', `Connection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: ${HTTP2_SETTINGS}`],
        ['an unknown token', 'Connection: Upgrade, close\r\nUpgrade: x-unknown/1.0'],
      ])('Upgrade: %s -> answered as plain HTTP (or refused), never a 101', async (_name, fields) => {
        const up = await upgradingUpstream()
        const app = await gateway(build, '', { target: up.url })
        const { raw } = await rawRequest(app.port, `GET /plain HTTP/1.1\r\nHost: x\r\n${fields}\r\n\r\n`)
        expectNoSwitch(raw)
        const res = parseRawResponse(raw)
        expect(res.status).not.toBe(101)
        expect(up.upgrades()).toBe(0)
        if (up.plain.length > 0) {
          // forwarded as an ordinary request: the upgrade stripped, the upstream's own answer
          expect(res.status).toBe(200)
          const seen = up.plain[0] as IncomingHttpHeaders
          expect(seen.upgrade).toBeUndefined()
          expect(seen['http2-settings']).toBeUndefined()
          expect(String(seen.connection)).not.toMatch(/upgrade/i)
        } else {
          // or refused by the gateway, with its own answer
          expect(res.status).toBeGreaterThanOrEqual(400)
          expect(res.status).toBeLessThan(500)
          expect(res.headers['proxy-status']).toMatch(/^gateway-middleware; error=/)
        }
      })

      it('an upstream answering 101 to a request without Upgrade -> 502, never a 101 to the client', async () => {
        const up = await rogueSwitchingUpstream()
        const app = await gateway(build, '', { target: up.url, retry: false })
        const { raw } = await rawRequest(app.port, 'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        expectNoSwitch(raw)
        expectRawGatewayAnswer(parseRawResponse(raw), raw, 502, 'connection_terminated')
        expect(up.connections()).toBe(1)
      })
    })

    describe('a request undici refuses to send', () => {
      it.each([
        [
          'a CR LF in a header value',
          { rewriteRequestHeaders: (h: Record<string, string | string[]>) => ({ ...h, 'x-bad': 'line\r\nbreak' }) },
        ],
        [
          'a header name that is not a token',
          { rewriteRequestHeaders: (h: Record<string, string | string[]>) => ({ ...h, 'bad name': '1' }) },
        ],
        [
          'a character beyond latin1',
          { rewriteRequestHeaders: (h: Record<string, string | string[]>) => ({ ...h, 'x-price': '5 €' }) },
        ],
        [
          'two Host fields',
          {
            preserveHost: true,
            rewriteRequestHeaders: (h: Record<string, string | string[]>) => ({
              ...h,
              host: ['a.example', 'b.example'],
            }),
          },
        ],
        [
          'an invalid Content-Length',
          { rewriteRequestHeaders: (h: Record<string, string | string[]>) => ({ ...h, 'content-length': 'five' }) },
        ],
        ['a path with a space from rewritePath', { rewritePath: (path: string) => `${path} x` }],
      ])(
        '%s from the app hooks -> the gateway 500 proxy_internal_error, no stack, nothing forwarded',
        async (_name, hooks) => {
          const up = await upstream()
          const told: GatewayError[] = []
          const app = await gateway(build, '', { target: up.url, ...hooks, onError: (error) => told.push(error) })
          for (const method of ['GET', 'POST']) {
            const res = await send(`${app.url}/echo`, method === 'POST' ? { method, body: 'hello' } : { method })
            expectGatewayAnswer(res, 500, 'proxy_internal_error', up.port)
          }
          expect(up.requests).toEqual([])
          // the cause is kept for logs: undici's refusal
          expect(told.map((error) => [error.code, (error.cause as { code?: string }).code])).toEqual([
            ['proxy_internal_error', 'UND_ERR_INVALID_ARG'],
            ['proxy_internal_error', 'UND_ERR_INVALID_ARG'],
          ])
        },
      )
    })
  })
}
