import type { GatewayError } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import type { RecordedRequest } from '../helpers/faultUpstream.js'
import { type ParsedRawResponse, parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { type BuildApp, expectGatewayAnswer, expectNoLeak, gateway, send, upstream } from './harness.js'

/** The methods the gateway's 405 names in `Allow`: the ones it passes on. */
const ALLOW = 'GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH'

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
