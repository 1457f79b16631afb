import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import type { BuildGuardApp } from './guardContract.js'
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
        await until(() => up.hits('/flaky') === 1)
        await new Promise((resolve) => setTimeout(resolve, 100))
        const left = performance.now()
        req.destroy()
        await until(() => settled.length === 1)
        // the call ends when the client leaves, not when the 5 s wait is over (bound: half of it)
        expect((settled[0] as number) - left).toBeLessThan(2500)
        expect(outcomes).toEqual(['aborted'])
        expect(up.hits('/flaky')).toBe(1)
      })
    }
  })
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = performance.now()
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
