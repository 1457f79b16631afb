import { request as httpRequest } from 'node:http'
import type { GatewayOptions } from '@gateway-middleware/core'
import { request as undiciRequest } from 'undici'
import { describe, expect, it } from 'vitest'
import { type RecordedRequest, refusedUrl } from '../helpers/faultUpstream.js'
import { processErrors } from '../helpers/processErrors.js'
import { parseRawResponses, rawRequest } from '../helpers/rawRequest.js'
import { guardErrorPageContract } from './errorPageContract.js'
import {
  type BuildGuardApp,
  expectGatewayAnswer,
  type GuardRoute,
  guardedApp,
  type ProxyMount,
  send,
  upstream,
} from './harness.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Guard mode: routes that call upstreams themselves get deadlines, and upstream failures become 502/504. */
export function guardContract(build: BuildGuardApp): void {
  const guarded = (options: GatewayOptions, routes: GuardRoute[], proxy?: ProxyMount) =>
    guardedApp(build, options, routes, proxy)

  describe('guard mode', () => {
    it('a successful route is untouched', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        {
          path: '/profile',
          handler: async (client) => ({ text: await (await client.request(`${up.url}/ok`)).body.text() }),
        },
      ])
      const res = await send(`${app.url}/profile`)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ text: 'ok' })
      expect(res.headers['proxy-status']).toBeUndefined()
    })

    it('an upstream 5xx is the route’s to handle, not a gateway failure', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        {
          path: '/x',
          handler: async (client) => ({ status: (await client.request(`${up.url}/status/503`)).statusCode }),
        },
      ])
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ status: 503 })
    })

    it('refused upstream inside a route (gateway client request) -> 502 connection_refused', async () => {
      const target = await refusedUrl()
      const app = await guarded({}, [{ path: '/x', handler: (client) => client.request(target) }])
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'connection_refused', Number(new URL(target).port))
    })

    it('refused upstream inside a route (gateway client fetch) -> 502 connection_refused', async () => {
      const target = await refusedUrl()
      const app = await guarded({}, [{ path: '/x', handler: (client) => client.fetch(target) }])
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'connection_refused', Number(new URL(target).port))
    })

    it('global fetch failure (TypeError with a cause) -> 502 connection_refused', async () => {
      const target = await refusedUrl()
      const app = await guarded({}, [{ path: '/x', handler: () => fetch(target) }])
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'connection_refused', Number(new URL(target).port))
    })

    it('undici failure (bare errno error) -> 502 connection_refused', async () => {
      const target = await refusedUrl()
      const app = await guarded({}, [{ path: '/x', handler: () => undiciRequest(target) }])
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'connection_refused', Number(new URL(target).port))
    })

    it('node:http reset before headers -> 502 connection_terminated', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        {
          path: '/x',
          handler: () =>
            new Promise((resolve, reject) => {
              httpRequest(`${up.url}/reset`, { agent: false }, resolve).on('error', reject).end()
            }),
        },
      ])
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'connection_terminated', up.port)
    })

    it('hanging upstream -> 504 at the route deadline (not at the call’s timeout.headers), and the upstream call is aborted', async () => {
      const up = await upstream()
      const app = await guarded({ timeout: { total: 300, headers: 20_000 } }, [
        { path: '/x', handler: (client) => client.request(`${up.url}/hang`) },
      ])
      const started = performance.now()
      expectGatewayAnswer(await send(`${app.url}/x`), 504, 'http_response_timeout', up.port)
      // tells the deadline (300 ms) from the call's own timeout.headers (20 s); generous: over 15× the deadline
      expect(performance.now() - started).toBeLessThan(5000)
      await up.waitForAborted(1, 2000)
    })

    it('hanging upstream through fetch -> 504 at the route deadline, and the call is aborted', async () => {
      const up = await upstream()
      const app = await guarded({ timeout: { total: 300 } }, [
        { path: '/x', handler: (client) => client.fetch(`${up.url}/hang`) },
      ])
      expectGatewayAnswer(await send(`${app.url}/x`), 504, 'http_response_timeout', up.port)
      await up.waitForAborted(1, 2000)
    })

    it('the request’s signal, handed to another client, aborts its call at the deadline', async () => {
      const up = await upstream()
      const seen: boolean[] = []
      const app = await guarded({ timeout: { total: 300 } }, [
        {
          path: '/x',
          handler: (client) => {
            seen.push(client.signal instanceof AbortSignal, client.signal.aborted)
            return undiciRequest(`${up.url}/hang`, { signal: client.signal })
          },
        },
      ])
      expectGatewayAnswer(await send(`${app.url}/x`), 504, 'http_response_timeout')
      await up.waitForAborted(1, 2000)
      expect(seen).toEqual([true, false])
    })

    it('the request’s signal, handed to another client, aborts its call when the client leaves', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        { path: '/x', handler: (client) => undiciRequest(`${up.url}/hang`, { signal: client.signal }) },
      ])
      await rawRequest(app.port, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 200 })
      await up.waitForAborted(1, 2000)
    })

    it('a route that has not answered by the deadline gets 504; what it writes later is discarded: nothing thrown at it, nothing more on the connection', async () => {
      const crashes = processErrors()
      const thrown: unknown[] = []
      let wrote!: () => void
      const lateWritesDone = new Promise<void>((resolve) => {
        wrote = resolve
      })
      const app = await guarded({ timeout: { total: 200 } }, [
        {
          path: '/slow',
          handler: async (client, reply) => {
            // the deadline aborts the route's signal, then answers; the route goes on after the answer went out
            await new Promise((resolve) => client.signal.addEventListener('abort', resolve, { once: true }))
            await sleep(100)
            for (const write of [() => reply.header('x-route', 'late'), () => reply.send('late body')]) {
              try {
                write()
              } catch (error) {
                thrown.push(error)
              }
            }
            wrote()
            return undefined
          },
        },
        { path: '/next', handler: async () => ({ next: true }) },
      ])
      // one connection: /slow, then (once the route wrote) /next; anything the late writes sent would come between
      const { raw } = await rawRequest(app.port, 'GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: late-1\r\n\r\n', {
        followUp: { after: lateWritesDone, request: 'GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' },
      })
      const [answer, next, ...more] = parseRawResponses(raw)
      expect(answer?.status).toBe(504)
      expect(answer?.complete).toBe(true)
      expect(answer?.headers['proxy-status']).toBe('gateway-middleware; error=http_response_timeout')
      expect(answer?.headers['x-request-id']).toBe('late-1')
      expect(answer?.headers['x-route']).toBeUndefined()
      expect(answer?.body.toString()).toContain('<h1>Gateway Timeout</h1>')
      expect(answer?.body.toString()).toContain('<code>late-1</code>')
      expect(raw.toString('latin1')).not.toMatch(/late body|x-route/i)
      expect(next?.status).toBe(200)
      expect(JSON.parse(next?.body.toString() ?? '')).toEqual({ next: true })
      expect(more).toEqual([])
      expect(thrown).toEqual([])
      expect(crashes).toEqual([])
    })

    it('gateway client calls forward the request id, so logs on both sides correlate', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        {
          path: '/x',
          handler: async (client) => {
            const seen = (await (await client.request(`${up.url}/echo`)).body.json()) as RecordedRequest
            const viaFetch = (await (await client.fetch(`${up.url}/echo`)).json()) as RecordedRequest
            return { request: seen.headers['x-request-id'], fetch: viaFetch.headers['x-request-id'] }
          },
        },
      ])
      const res = await send(`${app.url}/x`, { headers: { 'x-request-id': 'trace-42' } })
      expect(JSON.parse(res.text)).toEqual({ request: 'trace-42', fetch: 'trace-42' })
    })

    it('gateway client calls are retried: a reset GET succeeds on the 2nd attempt', async () => {
      const up = await upstream()
      const app = await guarded({}, [
        {
          path: '/x',
          handler: async (client) => ({ status: (await client.request(`${up.url}/flaky?fail=reset`)).statusCode }),
        },
      ])
      expect(JSON.parse((await send(`${app.url}/x`)).text)).toEqual({ status: 200 })
      expect(up.hits('/flaky')).toBe(2)
    })

    it('each call gets the remaining time of the request deadline', async () => {
      const app = await guarded({ timeout: { total: 5000 } }, [
        {
          path: '/x',
          handler: async (client) => {
            const before = client.remaining()
            await sleep(300)
            return { before, after: client.remaining() }
          },
        },
      ])
      const { before, after } = JSON.parse((await send(`${app.url}/x`)).text) as { before: number; after: number }
      expect(before).toBeLessThanOrEqual(5000)
      // timers never fire early: the 300 ms the route slept came off the deadline
      expect(before - after).toBeGreaterThanOrEqual(250)
    })

    it('client disconnect aborts the route’s in-flight upstream calls', async () => {
      const up = await upstream()
      const app = await guarded({}, [{ path: '/x', handler: (client) => client.request(`${up.url}/hang`) }])
      await rawRequest(app.port, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 200 })
      await up.waitForAborted(1, 2000)
    })

    it.each([
      ['an app TypeError', () => Promise.reject(new TypeError('user.name is not a function'))],
      ['a plain Error', () => Promise.reject(new Error('boom'))],
      ['a bare AbortError', () => Promise.reject(new DOMException('aborted', 'AbortError'))],
    ])('%s -> the framework 500, never a 502', async (_name, fail) => {
      const app = await guarded({}, [{ path: '/x', handler: fail }])
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(500)
      expect(res.headers['proxy-status']).toBeUndefined()
    })

    it('classifyError can make an app error a gateway failure, or keep a network error a 500', async () => {
      const target = await refusedUrl()
      const app = await guarded(
        {
          classifyError: (error, decision) => {
            if ((error as { code?: string }).code === 'DB_POOL_EXHAUSTED') return 'destination_unavailable'
            if (decision?.code === 'connection_refused') return false
            return undefined
          },
        },
        [
          {
            path: '/db',
            handler: () => Promise.reject(Object.assign(new Error('pool'), { code: 'DB_POOL_EXHAUSTED' })),
          },
          { path: '/refused', handler: () => fetch(target) },
        ],
      )
      expectGatewayAnswer(await send(`${app.url}/db`), 503, 'destination_unavailable')
      expect((await send(`${app.url}/refused`)).status).toBe(500)
    })

    it('guard mode composes with proxy mode in the same app', async () => {
      const up = await upstream()
      const target = await refusedUrl()
      const app = await guarded({}, [{ path: '/own', handler: () => fetch(target) }], {
        mountPath: '/api',
        options: { target: up.url },
      })
      expect((await send(`${app.url}/api/ok`)).text).toBe('ok')
      expectGatewayAnswer(await send(`${app.url}/own`), 502, 'connection_refused')
    })
  })

  guardErrorPageContract(build)
}
