import { describe, expect, it } from 'vitest'
import { refusedUrl, revivableUrl } from '../helpers/faultUpstream.js'
import { type BuildApp, expectGatewayAnswer, gateway, send, upstream } from './harness.js'

const MB = 1024 * 1024

/** Retries, several targets and passive health, through a real framework. */
export function retryContract(build: BuildApp): void {
  describe('retries', () => {
    it('GET is retried after a reset before headers and succeeds on the 2nd attempt', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/flaky?fail=reset`)
      expect(res.status).toBe(200)
      expect(up.hits('/flaky')).toBe(2)
    })

    it('POST is retried after connection refused, on the other target', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: [await refusedUrl(), up.url] })
      const res = await send(`${app.url}/echo`, { method: 'POST', body: 'payload' })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text).bodyLength).toBe(7)
      expect(up.hits('/echo')).toBe(1)
    })

    it('POST is not retried once its bytes may have reached the upstream (reset before headers)', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/flaky?fail=reset`, { method: 'POST', body: 'payload' })
      expectGatewayAnswer(res, 502, 'connection_terminated', up.port)
      expect(up.hits('/flaky')).toBe(1)
    })

    it('POST with an Idempotency-Key is retried after a reset, its body replayed intact', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/flaky?fail=reset`, {
        method: 'POST',
        headers: { 'idempotency-key': 'order-7' },
        body: 'x'.repeat(10_000),
      })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text).bodyLength).toBe(10_000)
      expect(up.hits('/flaky')).toBe(2)
    })

    it('a 6 MB body over a 1 MB retry.bodyLimit streams through and is not retried', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: { bodyLimit: MB } })
      const body = Buffer.alloc(6 * MB, 1)
      const ok = await send(`${app.url}/echo`, { method: 'PUT', body })
      expect(JSON.parse(ok.text).bodyLength).toBe(6 * MB)
      const failed = await send(`${app.url}/flaky?fail=reset`, { method: 'PUT', body })
      expect(failed.status).toBe(502)
      expect(up.hits('/flaky')).toBe(1)
    })

    it('a body over retry.bodyLimit is still retried when none of it was sent (refused)', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: [await refusedUrl(), up.url], retry: { bodyLimit: 1024 } })
      const res = await send(`${app.url}/echo`, { method: 'POST', body: Buffer.alloc(MB, 2) })
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text).bodyLength).toBe(MB)
    })

    it('a listed status with Retry-After: 1 is retried after about a second', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: { statusCodes: [503] } })
      const started = performance.now()
      const res = await send(`${app.url}/flaky?fail=status/503&retry-after=1`)
      expect(res.status).toBe(200)
      // timers never fire early: the retry waited the second the upstream asked for
      expect(performance.now() - started).toBeGreaterThanOrEqual(900)
      expect(up.hits('/flaky')).toBe(2)
    })

    it('a Retry-After beyond retry.maxDelay passes the upstream answer through instead', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: { statusCodes: [503], maxDelay: 2000 } })
      const res = await send(`${app.url}/flaky?fail=status/503&retry-after=5`)
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('5')
      expect(res.headers['proxy-status']).toBeUndefined()
      expect(up.hits('/flaky')).toBe(1)
    })

    it('retries stop at the deadline: timeout.total covers every attempt', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        timeout: { headers: 200, total: 500 },
        retry: { on: ['http_response_timeout'], limit: 10 },
      })
      expectGatewayAnswer(await send(`${app.url}/flaky?fail=hang&times=100`), 504, 'http_response_timeout', up.port)
      // it retried, and stopped at the deadline: each attempt gets up to 200 ms of a 500 ms total,
      // where retry.limit alone would allow 11 attempts
      expect(up.hits('/flaky')).toBeGreaterThanOrEqual(2)
      expect(up.hits('/flaky')).toBeLessThanOrEqual(3)
    })

    it('the retry budget caps retries under a burst of failing requests', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        timeout: { headers: 300 },
        retry: { on: ['http_response_timeout'], budget: { percent: 0, minConcurrency: 3 } },
        circuit: false,
      })
      const burst = await Promise.all(Array.from({ length: 20 }, () => send(`${app.url}/flaky?fail=hang&times=1000`)))
      expect(burst.every((res) => res.status === 504)).toBe(true)
      // without the budget: 20 × 3 attempts; with it, at most 3 retries in flight at a time
      expect(up.hits('/flaky')).toBeLessThanOrEqual(26)
    })

    it('onRetry is told the failure kind, attempt and target', async () => {
      const up = await upstream()
      const seen: unknown[] = []
      const app = await gateway(build, '', { target: up.url, onRetry: (retry) => seen.push(retry) })
      await send(`${app.url}/flaky?fail=reset`)
      expect(seen).toEqual([
        expect.objectContaining({ reason: 'connection_terminated', attempt: 1, target: up.url, method: 'GET' }),
      ])
    })

    it('retry: false turns retries off', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: false })
      expect((await send(`${app.url}/flaky?fail=reset`)).status).toBe(502)
      expect(up.hits('/flaky')).toBe(1)
    })
  })

  describe('several targets and passive health', () => {
    it('requests are balanced round robin across the targets', async () => {
      const a = await upstream()
      const b = await upstream()
      const app = await gateway(build, '', { target: [a.url, b.url] })
      for (let i = 0; i < 6; i++) expect((await send(`${app.url}/ok`)).status).toBe(200)
      expect([a.hits('/ok'), b.hits('/ok')]).toEqual([3, 3])
    })

    it('all targets down -> 503 destination_unavailable with Retry-After, without touching the network', async () => {
      const seen: string[] = []
      const app = await gateway(build, '', {
        target: [await refusedUrl(), await refusedUrl()],
        circuit: { failures: 1, halfOpenAfter: 5000 },
        onError: (error) => seen.push(error.code),
      })
      // the first request ejects both targets, one attempt each, and then has nowhere to go
      expectGatewayAnswer(await send(`${app.url}/x`), 503, 'destination_unavailable')
      expect(seen).toEqual(['connection_refused', 'connection_refused', 'destination_unavailable'])
      seen.length = 0
      const res = await send(`${app.url}/x`)
      expectGatewayAnswer(res, 503, 'destination_unavailable')
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(5)
      expect(seen).toEqual(['destination_unavailable'])
    })

    it('an ejected target comes back after the back-off (one trial request)', async () => {
      const revivable = await revivableUrl()
      const target = revivable.url
      try {
        const app = await gateway(build, '', { target, circuit: { failures: 1, halfOpenAfter: 300 }, retry: false })
        expect((await send(`${app.url}/x`)).status).toBe(502)
        expect((await send(`${app.url}/x`)).status).toBe(503)
        await revivable.revive((_req, res) => res.end('back'))
        await new Promise((resolve) => setTimeout(resolve, 400))
        const res = await send(`${app.url}/x`)
        expect(res.status).toBe(200)
        expect(res.text).toBe('back')
      } finally {
        await revivable.close()
      }
    })
  })
}
