import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { waitFor } from '../helpers/waitFor.js'
import type { BuildGuardApp } from './harness.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

/** Retries only within the budget's percentage: no floor, so only active requests earn retries. */
const PERCENT_ONLY_BUDGET = { budget: { percent: 100, minConcurrency: 0 } }

/**
 * The one attempt loop: the proxy, guard mode's `request()` and its `fetch()` retry alike, count
 * against the same budget, and stop waiting when the client leaves.
 */
export function attemptLoopContract(build: BuildApp, buildGuard: BuildGuardApp): void {
  describe('one attempt loop', () => {
    it('the proxy retries a reset under a budget with no floor: its own request is active', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: PERCENT_ONLY_BUDGET })
      const res = await send(`${app.url}/flaky?fail=reset`)
      expect(res.status).toBe(200)
      expect(up.hits('/flaky')).toBe(2)
    })

    it('guard request() retries under the budget like the proxy', async () => {
      const up = await upstream()
      const app = await gateway(
        (_mount, options) =>
          buildGuard(options, [
            {
              path: '/call',
              handler: async (client) => ({ status: (await client.request(`${up.url}/flaky?fail=reset`)).statusCode }),
            },
          ]),
        '',
        { retry: PERCENT_ONLY_BUDGET },
      )
      const res = await send(`${app.url}/call`)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ status: 200 })
      expect(up.hits('/flaky')).toBe(2)
    })

    it('guard fetch() retries a reset under the budget like request()', async () => {
      const up = await upstream()
      const app = await gateway(
        (_mount, options) =>
          buildGuard(options, [
            {
              path: '/call',
              handler: async (client) => ({ status: (await client.fetch(`${up.url}/flaky?fail=reset`)).status }),
            },
          ]),
        '',
        { retry: PERCENT_ONLY_BUDGET },
      )
      const res = await send(`${app.url}/call`)
      expect(res.status).toBe(200)
      expect(up.hits('/flaky')).toBe(2)
    })

    it('fetch() retries retry.statusCodes like request()', async () => {
      const fetched503 = await upstream()
      const requested503 = await upstream()
      const app = await gateway(
        (_mount, options) =>
          buildGuard(options, [
            {
              path: '/fetch',
              handler: async (client) => {
                const res = await client.fetch(`${fetched503.url}/flaky?fail=status/503`)
                return { status: res.status, body: await res.text() }
              },
            },
            {
              path: '/request',
              handler: async (client) => ({
                status: (await client.request(`${requested503.url}/flaky?fail=status/503`)).statusCode,
              }),
            },
          ]),
        '',
        { retry: { statusCodes: [503] } },
      )
      const fetched = await send(`${app.url}/fetch`)
      expect(JSON.parse(fetched.text).status).toBe(200)
      const requested = await send(`${app.url}/request`)
      expect(JSON.parse(requested.text).status).toBe(200)
      // two attempts each: the 503, then the retry
      expect(fetched503.hits('/flaky')).toBe(2)
      expect(requested503.hits('/flaky')).toBe(2)
    })

    it('onError is told each failure once, with the attempt it happened on (here the 2nd, after a retry)', async () => {
      // the first attempt is reset; the second answers with two Content-Types: an invalid response
      let hits = 0
      const up = createServer((req, res) => {
        hits++
        if (hits === 1) {
          req.socket.resetAndDestroy()
          return
        }
        res.writeHead(200, [
          ['content-type', 'text/plain'],
          ['content-type', 'text/html'],
          ['content-length', '2'],
        ])
        res.end('ok')
      })
      await new Promise<void>((resolve) => up.listen(0, '127.0.0.1', resolve))
      onTestFinished(() => new Promise<void>((resolve) => up.close(() => resolve())))
      const { port } = up.address() as AddressInfo
      const told: Array<{ code: string; attempt: number }> = []
      const app = await gateway(build, '', {
        target: `http://127.0.0.1:${port}`,
        onError: (error, context) => told.push({ code: error.code, attempt: context.attempt }),
      })
      const res = await send(`${app.url}/twice`)
      expect(res.status).toBe(502)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_protocol_error')
      expect(told).toEqual([
        { code: 'connection_terminated', attempt: 1 },
        { code: 'http_protocol_error', attempt: 2 },
      ])
    })

    for (const call of ['request', 'fetch'] as const) {
      it(`a retry sleep ends when the client leaves (${call}())`, async () => {
        const up = await upstream()
        const settled: number[] = []
        const outcomes: string[] = []
        const app = await gateway(
          (_mount, options) =>
            buildGuard(options, [
              {
                path: '/slow-retry',
                handler: async (client) => {
                  const url = `${up.url}/flaky?fail=status/503&retry-after=5`
                  try {
                    const status =
                      call === 'fetch' ? (await client.fetch(url)).status : (await client.request(url)).statusCode
                    outcomes.push(`answered ${status}`)
                    return status
                  } catch (error) {
                    outcomes.push('aborted')
                    throw error
                  } finally {
                    settled.push(performance.now())
                  }
                },
              },
            ]),
          '',
          { retry: { statusCodes: [503], maxDelay: 10_000 } },
        )
        // the upstream asks for a 5 s wait before the retry; the client leaves while the gateway waits
        const req = httpRequest(`${app.url}/slow-retry`, { agent: false })
        req.on('error', () => {})
        req.end()
        await waitFor(() => up.hits('/flaky') === 1)
        await new Promise((resolve) => setTimeout(resolve, 100))
        const left = performance.now()
        req.destroy()
        await waitFor(() => settled.length === 1)
        // the call ends when the client leaves, not when the 5 s wait is over (bound: half of it)
        expect((settled[0] as number) - left).toBeLessThan(2500)
        expect(outcomes).toEqual(['aborted'])
        expect(up.hits('/flaky')).toBe(1)
      })
    }
  })
}
