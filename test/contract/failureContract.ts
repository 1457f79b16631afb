import { createServer } from 'node:net'
import type { GatewayError } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, expectGatewayAnswer, expectNoLeak, gateway, send, upstream } from './harness.js'

/** Every row of the failure table, through a real framework and real sockets. */
export function failureContract(build: BuildApp): void {
  describe('failures before response headers', () => {
    it('refused upstream -> 502 connection_refused', async () => {
      const target = await refusedUrl()
      const app = await gateway(build, '/api', { target })
      expectGatewayAnswer(await send(`${app.url}/api/x`), 502, 'connection_refused', Number(new URL(target).port))
    })

    it('unresolvable upstream name -> 502 dns_error', async () => {
      // a label over 63 characters is rejected by the local resolver: no query leaves the machine
      const app = await gateway(build, '/api', { target: `http://${'a'.repeat(70)}.invalid` })
      const res = await send(`${app.url}/api/x`)
      expectGatewayAnswer(res, 502, 'dns_error')
      expect(res.text).not.toContain('aaaa')
    })

    it('TLS handshake that never completes -> 504 connection_timeout at timeout.connect', async () => {
      const silent = createServer(() => {})
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const port = (silent.address() as { port: number }).port
      try {
        const app = await gateway(build, '', {
          target: `https://127.0.0.1:${port}`,
          timeout: { connect: 300 },
          retry: false,
        })
        const started = performance.now()
        const res = await send(`${app.url}/x`)
        expectGatewayAnswer(res, 504, 'connection_timeout', port)
        // tells timeout.connect (300 ms) from the 5 s default connect timeout; generous: over 8× the limit
        expect(performance.now() - started).toBeLessThan(2500)
      } finally {
        silent.close()
      }
    })

    it("no free pooled connection within timeout.queue -> 503 connection_limit_reached with Retry-After: the gateway's limit, and the target stays healthy", async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        pool: { connections: 1 },
        timeout: { queue: 200, connect: 5000, headers: 5000 },
        circuit: { failures: 1 },
        retry: false,
      })
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => up.hits('/hang') === 1)
      const shed = await send(`${app.url}/ok`)
      expectGatewayAnswer(shed, 503, 'connection_limit_reached', up.port)
      expect(shed.headers['retry-after']).toBe('1')
      // nothing reached the upstream for it, and the busy target was not ejected
      expect(up.hits('/ok')).toBe(0)
      expect((app.health().targets[0] as { state: string }).state).toBe('healthy')
      await app.close()
      await hanging
    })

    it('concurrency: 3 lets 3 requests through to a target and sheds the rest once timeout.queue has passed', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, concurrency: 3, timeout: { queue: 200 }, retry: false })
      const answers = Array.from({ length: 5 }, () => send(`${app.url}/hang`).catch(() => undefined))
      const shed = await Promise.all(answers.slice(3))
      await waitFor(() => up.hits('/hang') === 3)
      expect(shed.map((res) => res?.status)).toEqual([503, 503])
      expect(up.hits('/hang')).toBe(3)
      await app.close()
      await Promise.all(answers)
    })

    it('hanging upstream -> 504 http_response_timeout at timeout.headers (not at timeout.total), and the upstream call is aborted', async () => {
      const up = await upstream()
      const app = await gateway(build, '/api', { target: up.url, timeout: { headers: 300, total: 20_000 } })
      const started = performance.now()
      const res = await send(`${app.url}/api/hang`)
      const elapsed = performance.now() - started
      expectGatewayAnswer(res, 504, 'http_response_timeout', up.port)
      // timers never fire early: the gateway waited its whole timeout.headers
      expect(elapsed).toBeGreaterThanOrEqual(250)
      // tells timeout.headers (300 ms) from timeout.total (20 s); generous: over 15× the limit
      expect(elapsed).toBeLessThan(5000)
      await up.waitForAborted(1)
    })

    it('hanging upstream -> 504 http_response_timeout at timeout.total when headers is off, and the upstream call is aborted', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { headers: false, total: 300 } })
      // no other timer runs before response headers: without timeout.total the request would hang
      expectGatewayAnswer(await send(`${app.url}/hang`), 504, 'http_response_timeout', up.port)
      await up.waitForAborted(1)
    })

    it('a POST to a hanging upstream -> 504 once its body was sent', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { headers: 300 } })
      const res = await send(`${app.url}/hang`, { method: 'POST', body: 'x'.repeat(100_000) })
      expectGatewayAnswer(res, 504, 'http_response_timeout', up.port)
    })

    it('slow headers within the limit -> the upstream answer', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { headers: 2000 } })
      const res = await send(`${app.url}/slow-headers?ms=200`)
      expect(res.status).toBe(200)
      expect(res.text).toBe('ok')
    })

    it.each([
      ['/reset', 502, 'connection_terminated'],
      ['/close', 502, 'connection_terminated'],
      ['/garbage', 502, 'http_protocol_error'],
      ['/bad-status', 502, 'http_protocol_error'],
      ['/bad-header', 502, 'http_protocol_error'],
      ['/conflicting-framing', 502, 'http_protocol_error'],
      ['/huge-headers', 502, 'http_response_header_section_size'],
    ])('upstream %s -> %i %s', async (path, status, code) => {
      const up = await upstream()
      const app = await gateway(build, '/api', { target: up.url })
      expectGatewayAnswer(await send(`${app.url}/api${path}`), status, code, up.port)
    })

    it('HEAD gets the failure status and headers without a body', async () => {
      const target = await refusedUrl()
      const app = await gateway(build, '', { target })
      const res = await send(`${app.url}/x`, { method: 'HEAD' })
      expect(res.status).toBe(502)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=connection_refused')
      expect(res.body.length).toBe(0)
    })

    it('proxyName names the gateway in Proxy-Status', async () => {
      const target = await refusedUrl()
      const app = await gateway(build, '', { target, proxyName: 'edge' })
      expect((await send(`${app.url}/x`)).headers['proxy-status']).toBe('edge; error=connection_refused')
    })

    it('onError is told the failure kind, method, path, target and the request id', async () => {
      const target = await refusedUrl()
      const seen: unknown[] = []
      const app = await gateway(build, '/api', {
        target,
        onError: (error, context) => seen.push([error.code, context]),
      })
      await send(`${app.url}/api/users?id=1`, { method: 'DELETE', headers: { 'x-request-id': 'req-42' } })
      const told = { method: 'DELETE', path: '/users?id=1', target, requestId: 'req-42' }
      expect(seen).toEqual([
        ['connection_refused', { ...told, attempt: 1 }],
        ['connection_refused', { ...told, attempt: 2 }],
        ['connection_refused', { ...told, attempt: 3 }],
      ])
    })
  })

  describe('bugs are not upstream failures', () => {
    it('a throwing rewriteRequestHeaders -> the framework 500, never a 502, and nothing sent upstream', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        rewriteRequestHeaders: () => {
          throw new TypeError('bug in a hook')
        },
      })
      const res = await send(`${app.url}/ok`)
      expect(res.status).toBe(500)
      expect(res.headers['proxy-status']).toBeUndefined()
      expect(up.hits('/ok')).toBe(0)
    })

    it('a throwing rewriteResponseHeaders -> 500 and the upstream request is released', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        rewriteResponseHeaders: () => {
          throw new TypeError('bug in a hook')
        },
      })
      const res = await send(`${app.url}/stall-mid-body`)
      expect(res.status).toBe(500)
      await up.waitForAborted(1, 2000)
    })
  })

  describe('upstream answers', () => {
    it.each([404, 500, 502, 503, 504])('upstream %i passes through unchanged, without Proxy-Status', async (status) => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/status/${status}`)
      expect(res.status).toBe(status)
      expect(res.headers['x-upstream']).toBe('yes')
      expect(res.headers['content-type']).toBe('text/plain')
      expect(res.headers['proxy-status']).toBeUndefined()
      expect(res.text).toBe(`upstream says ${status}`)
    })
  })

  describe('failures after response headers: the client connection is cut', () => {
    it.each([
      ['/reset-mid-body', {}],
      ['/close-mid-body', {}],
      ['/chunked-cut', {}],
      ['/stall-mid-body', { idle: 300 }],
    ])('upstream %s -> truncated response, never a clean end or appended text', async (path, timeout) => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout })
      const { raw, closedBy } = await rawRequest(app.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
      expect(closedBy).not.toBe('timeout')
      const res = parseRawResponse(raw)
      expect(res.status).toBe(200)
      expect(res.complete).toBe(false)
      expectNoLeak(raw.toString('latin1'), up.port)
      expect(raw.toString('latin1')).not.toMatch(/Bad Gateway|Gateway Timeout/)
    })

    it('a trickling upstream that is never silent for timeout.idle completes', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { idle: 400 } })
      const res = await send(`${app.url}/trickle?chunks=8&interval=100&size=10`)
      expect(res.status).toBe(200)
      expect(res.body.length).toBe(80)
    })
  })

  describe('a short body (declared within 64 KiB) is collected before the answer goes out', () => {
    it.each([
      ['/reset-mid-body?length=5000', 502, 'http_response_incomplete', {}],
      ['/close-mid-body?length=5000', 502, 'http_response_incomplete', {}],
      ['/stall-mid-body?length=5000', 504, 'http_response_timeout', { idle: 300 }],
      ['/stall-mid-body?length=5000&bytes=0', 504, 'http_response_timeout', { idle: 300 }],
    ])(
      'a short body (declared within 64 KiB) that fails on the way: %s -> the gateway answers %i %s, nothing was sent yet',
      async (path, status, type, timeout) => {
        const up = await upstream()
        const errors: GatewayError[] = []
        const app = await gateway(build, '', { target: up.url, timeout, onError: (error) => errors.push(error) })
        const res = await send(`${app.url}${path}`)
        expect(res.status).toBe(status)
        expect(res.headers['proxy-status']).toBe(`gateway-middleware; error=${type}`)
        expect(res.headers['content-type']).not.toBe('application/octet-stream')
        expectNoLeak(res.text, up.port)
        expect(errors.map((error) => error.code)).toEqual([type])
      },
    )

    it('a short body that arrives slowly, but within timeout.idle between chunks, arrives whole', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { idle: 400 } })
      const res = await send(`${app.url}/trickle?chunks=5&interval=100&size=10&declared=1`)
      expect(res.status).toBe(200)
      expect(res.headers['content-length']).toBe('50')
      expect(res.body.length).toBe(50)
    })
  })

  describe('client goes away', () => {
    it('client disconnect before response headers aborts the upstream request, not left to run until timeout.headers', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { headers: 20_000 } })
      const { closedBy } = await rawRequest(app.port, 'GET /hang HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 200 })
      expect(closedBy).toBe('timeout')
      // the upstream sees the abort within moments; left to timeout.headers it would take 20 s
      await up.waitForAborted(1, 5000)
    })

    it('client disconnect mid-body aborts the upstream request', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      await rawRequest(app.port, 'GET /stall-mid-body HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 300 })
      await up.waitForAborted(1, 2000)
    })

    it('client disconnect while a short body is awaited aborts the upstream request', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const path = '/stall-mid-body?length=5000'
      await rawRequest(app.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, { timeoutMs: 300 })
      await up.waitForAborted(1, 2000)
    })
  })
}
