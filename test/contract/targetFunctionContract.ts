import type { GatewayError, GatewayOptions, RetryContext, TargetRequest } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import { type RecordedRequest, refusedUrl } from '../helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { waitFor } from '../helpers/waitFor.js'
import {
  type BuildApp,
  type BuildGuardApp,
  expectGatewayAnswer,
  gateway,
  guardedApp,
  send,
  upstream,
} from './harness.js'

/** The upstream's record of the one request it was sent. */
function echoed(text: string): RecordedRequest {
  return JSON.parse(text) as RecordedRequest
}

/** The message of what made the gateway answer `error` (its `cause`). */
function causeOf(error: GatewayError | undefined): string {
  return error?.cause instanceof Error ? error.cause.message : ''
}

/** `target` as a function: a target per request, its origins on demand, and never a route the function did not name. */
export function targetFunctionContract(build: BuildApp): void {
  describe('a target per request', () => {
    it('routes each request where the function says, with the path prefix of the URL it returned', async () => {
      const [a, b] = [await upstream(), await upstream()]
      const app = await gateway(build, '/api', {
        target: (request) => (request.headers['x-tenant'] === 'b' ? `${b.url}/tenants/b/` : `${a.url}/tenants/a`),
      })
      const toA = await send(`${app.url}/api/echo?x=1`)
      const toB = await send(`${app.url}/api/echo?x=2`, { headers: { 'x-tenant': 'b' } })
      // each upstream's own 404 (it echoes `/echo` only), and what each was sent
      expect([toA.status, toB.status]).toEqual([404, 404])
      expect(a.requests.map((request) => request.url)).toEqual(['/tenants/a/echo?x=1'])
      expect(b.requests.map((request) => request.url)).toEqual(['/tenants/b/echo?x=2'])
    })

    it('the function is told the method, the path after the mount path (dot segments removed), lower-cased headers and the peer', async () => {
      const up = await upstream()
      const seen: Array<Omit<TargetRequest, 'headers'> & { tenant: unknown }> = []
      const app = await gateway(build, '/api', {
        target: async (request) => {
          seen.push({
            method: request.method,
            url: request.url,
            remoteAddress: request.remoteAddress,
            tenant: request.headers['x-tenant'],
          })
          return new URL(up.url)
        },
      })
      // raw bytes: an HTTP client would remove the dot segments itself
      const res = parseRawResponse(
        (
          await rawRequest(
            app.port,
            'POST /api/public/../echo?q=a/../b HTTP/1.1\r\nHost: x\r\nX-Tenant: acme\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
          )
        ).raw,
      )
      expect(res.status).toBe(200)
      // the function routes on the path the upstream gets: `/public/../echo` is `/echo` to both
      expect(seen).toEqual([{ method: 'POST', url: '/echo?q=a/../b', remoteAddress: '127.0.0.1', tenant: 'acme' }])
      expect(echoed(res.body.toString()).url).toBe('/echo?q=a/../b')
    })

    it.each([
      ['a relative URL', '/elsewhere'],
      ['a file: URL', 'file:///etc/passwd'],
      ['a javascript: URL', 'javascript:alert(1)'],
      ['garbage', 'not a url'],
      ['a URL with credentials', 'http://user:secret@127.0.0.1:1'],
      ['a URL with a query string', 'http://127.0.0.1:1/?x=1'],
    ])(
      'a function that returns %s -> 500 proxy_internal_error, onError told why, nothing followed',
      async (_what, result) => {
        const up = await upstream()
        const errors: GatewayError[] = []
        const app = await gateway(build, '', {
          target: () => result,
          onError: (error) => errors.push(error),
        })
        const res = await send(`${app.url}/echo`)
        expectGatewayAnswer(res, 500, 'proxy_internal_error', up.port)
        expect(res.text).not.toContain('secret')
        expect(errors.map((error) => error.code)).toEqual(['proxy_internal_error'])
        expect(String(causeOf(errors[0]))).toMatch(/^gateway-middleware: the target function returned /)
        expect(String(causeOf(errors[0]))).not.toContain('secret')
        expect(up.requests).toEqual([])
      },
    )

    it.each([
      [
        'throws',
        () => {
          throw new Error('no tenant')
        },
      ],
      ['rejects', () => Promise.reject(new Error('no tenant'))],
      ['returns nothing', () => undefined as unknown as string],
    ])('a function that %s -> 500 proxy_internal_error with the cause for onError', async (_what, target) => {
      const errors: GatewayError[] = []
      const app = await gateway(build, '', { target, onError: (error) => errors.push(error) })
      expectGatewayAnswer(await send(`${app.url}/x`), 500, 'proxy_internal_error')
      expect(errors.map((error) => error.code)).toEqual(['proxy_internal_error'])
      expect(causeOf(errors[0])).toMatch(/^gateway-middleware: the target function (threw|returned)/)
    })

    it("a slow target function's time counts against timeout.total: 504 http_response_timeout, nothing sent, the origin not blamed", async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: (request) =>
          request.url === '/slow' ? new Promise<string>((resolve) => setTimeout(resolve, 300, up.url)) : up.url,
        timeout: { total: 100 },
        circuit: { failures: 1 },
        retry: false,
      })
      expectGatewayAnswer(await send(`${app.url}/slow`), 504, 'http_response_timeout', up.port)
      expect(up.requests).toEqual([])
      // the function's time is the gateway's: the origin was not ejected for it
      expect((await send(`${app.url}/ok`)).status).toBe(200)
    })

    it('no substring matching: a crafted Host never reaches another backend (http-proxy-middleware router advisory)', async () => {
      const [good, other] = [await upstream(), await upstream()]
      // the README's router by host: an exact lookup of the host name, anything else the default
      const backends = new Map([['good.example', good.url]])
      const app = await gateway(build, '', {
        target: (request) => {
          const host = String(request.headers.host ?? '').replace(/:\d+$/, '')
          return backends.get(host.toLowerCase()) ?? other.url
        },
      })
      const hosts = [
        'evil.example.com.good.example',
        'good.example.evil.example',
        'xgood.example',
        'good.example.',
        'good-example',
      ]
      for (const host of hosts) expect((await send(`${app.url}/echo`, { headers: { host } })).status).toBe(200)
      expect(good.requests).toEqual([])
      expect(other.requests.length).toBe(hosts.length)
      // a userinfo-style Host is no valid Host: refused before the function is asked, nothing forwarded
      const userinfo = await send(`${app.url}/echo`, { headers: { host: 'good.example@evil.example' } })
      expect(userinfo.status).toBe(400)
      expect(good.requests).toEqual([])
      expect(other.requests.length).toBe(hosts.length)
      expect((await send(`${app.url}/echo`, { headers: { host: 'Good.Example:8080' } })).status).toBe(200)
      expect(good.requests.length).toBe(1)
    })

    it('a crafted path never reaches another backend: the function routes on the path the upstream gets', async () => {
      const [admin, site] = [await upstream(), await upstream()]
      const seen: string[] = []
      const app = await gateway(build, '', {
        target: (request) => {
          seen.push(request.url)
          return request.url.startsWith('/echo') ? admin.url : site.url
        },
      })
      // routed as the `/echo` it becomes (the admin's), never as `/site/…` to the site with an `/echo` path
      const res = parseRawResponse(
        (await rawRequest(app.port, 'GET /site/%2e%2e/echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).raw,
      )
      expect(res.status).toBe(200)
      expect(seen).toEqual(['/echo'])
      expect(site.requests).toEqual([])
      expect(echoed(res.body.toString()).url).toBe('/echo')
    })

    it.each([
      ['..', '../admin'],
      ['encoded ..', '%2e%2e'],
      ['an encoded slash', 'a%2fb'],
      ['a backslash ..', '..\\admin'],
    ])(
      'a returned URL with %s in its path is refused (500), never normalised into another prefix',
      async (_what, tenant) => {
        const up = await upstream()
        const app = await gateway(build, '', {
          // the bug this guards against: request data interpolated into the target's path
          target: (request) => `${up.url}/tenants/${String(request.headers['x-tenant'])}/`,
        })
        expectGatewayAnswer(
          await send(`${app.url}/echo`, { headers: { 'x-tenant': tenant } }),
          500,
          'proxy_internal_error',
        )
        expect(up.requests).toEqual([])
        expect((await send(`${app.url}/echo`, { headers: { 'x-tenant': 'acme' } })).status).toBe(404)
        expect(up.requests.map((request) => request.url)).toEqual(['/tenants/acme/echo'])
      },
    )

    it('retries go to the origin the function named, and passive health ejects that origin alone', async () => {
      const refused = await refusedUrl()
      const up = await upstream()
      const retries: RetryContext[] = []
      const options: GatewayOptions = {
        target: (request) => (request.url.startsWith('/down') ? refused : up.url),
        circuit: { failures: 3, halfOpenAfter: 60_000 },
        retry: { limit: 2 },
        onRetry: (context) => retries.push(context),
      }
      const app = await gateway(build, '', options)
      expectGatewayAnswer(await send(`${app.url}/down/x`), 502, 'connection_refused')
      // the function named one origin: both retries went there (and its third failure ejected it)
      const origin = new URL(refused).origin
      expect(retries.map((retry) => retry.target)).toEqual([origin, origin])
      const next = await send(`${app.url}/down/x`)
      expectGatewayAnswer(next, 503, 'destination_unavailable')
      expect(Number(next.headers['retry-after'])).toBeGreaterThan(1)
      // another origin of the same function is untouched
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      // health() covers static targets only
      expect(app.health().targets).toEqual([])
    })

    it('concurrency applies per origin: one origin full sheds 503 connection_limit_reached, another still answers', async () => {
      const [busy, idle] = [await upstream(), await upstream()]
      const app = await gateway(build, '', {
        target: (request) => (request.url.startsWith('/hang') ? busy.url : idle.url),
        concurrency: 1,
        timeout: { queue: 100 },
        retry: false,
      })
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => busy.hits('/hang') === 1)
      const shed = await send(`${app.url}/hang`)
      expectGatewayAnswer(shed, 503, 'connection_limit_reached', busy.port)
      expect(shed.headers['retry-after']).toBe('1')
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      expect(busy.hits('/hang')).toBe(1)
      await app.close()
      await hanging
    })

    it('limits.origins bounds the pools: the least recently used idle origin is forgotten and its connections closed', async () => {
      const [a, b] = [await upstream(), await upstream()]
      const app = await gateway(build, '', {
        target: (request) => (request.url.startsWith('/a/') ? `${a.url}/` : `${b.url}/`),
        limits: { origins: 1 },
        // idle connections are kept long: only closing the forgotten pool ends them
        pool: { keepAliveTimeout: 60_000 },
      })
      expect((await send(`${app.url}/a/ok`)).status).toBe(404)
      // the gateway keeps its pooled connection to a open (keep-alive)
      expect(a.openSockets()).toBe(1)
      expect((await send(`${app.url}/b/ok`)).status).toBe(404)
      // b's origin took the one place: a's idle pool was closed (at once; the ceiling stays under the
      // upstream's own 5 s keep-alive, which would close it too)
      await waitFor(() => a.openSockets() === 0, 2000)
      // and a comes back on demand
      expect((await send(`${app.url}/a/ok`)).status).toBe(404)
      await waitFor(() => b.openSockets() === 0, 2000)
      expect([a.requests.length, b.requests.length]).toEqual([2, 1])
    })

    it('an origin with a request under way is never forgotten: its queue and limit still hold it', async () => {
      const [a, b] = [await upstream(), await upstream()]
      const app = await gateway(build, '', {
        target: (request) => (request.url.startsWith('/hang') ? a.url : b.url),
        limits: { origins: 1 },
        concurrency: 1,
        timeout: { queue: 100 },
        retry: false,
      })
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => a.hits('/hang') === 1)
      // b needs the one place while a is busy: the bound gives way rather than forget a
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      // a is still known, with its one request under way: a second one waits, then is shed
      expectGatewayAnswer(await send(`${app.url}/hang`), 503, 'connection_limit_reached', a.port)
      expect(a.hits('/hang')).toBe(1)
      await app.close()
      await hanging
    })
  })
}

/** Guard mode: the same per-origin limits for the calls through `req.gateway`, from the same bounded origins. */
export function guardOriginsContract(build: BuildGuardApp): void {
  describe('guard mode: limits per origin', () => {
    it('concurrency per origin: a second call to a full origin -> 503 connection_limit_reached, another origin still answers', async () => {
      const [busy, idle] = [await upstream(), await upstream()]
      const app = await guardedApp(build, { concurrency: 1, timeout: { queue: 100 }, retry: false }, [
        { path: '/hang', handler: async (client) => (await client.request(`${busy.url}/hang`)).statusCode },
        { path: '/busy', handler: async (client) => (await client.request(`${busy.url}/ok`)).statusCode },
        { path: '/busy-fetch', handler: async (client) => (await client.fetch(`${busy.url}/ok`)).status },
        { path: '/idle', handler: async (client) => (await client.request(`${idle.url}/ok`)).statusCode },
      ])
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => busy.hits('/hang') === 1)
      const shed = await send(`${app.url}/busy`)
      expectGatewayAnswer(shed, 503, 'connection_limit_reached', busy.port)
      expect(shed.headers['retry-after']).toBe('1')
      expectGatewayAnswer(await send(`${app.url}/busy-fetch`), 503, 'connection_limit_reached', busy.port)
      expect(busy.hits('/ok')).toBe(0)
      const other = await send(`${app.url}/idle`)
      expect([other.status, other.text]).toEqual([200, '200'])
      await app.close()
      await hanging
    })

    it('a request() call holds its origin’s place to the end of its body; fetch() to its response headers', async () => {
      const up = await upstream()
      const app = await guardedApp(build, { concurrency: 1, timeout: { queue: 100 }, retry: false }, [
        {
          path: '/request',
          handler: async (client) => {
            const stalled = await client.request(`${up.url}/stall-mid-body`)
            const whileStreaming = await client.request(`${up.url}/ok`).then(
              (response) => response.statusCode,
              (error: GatewayError) => error.code,
            )
            stalled.body.destroy()
            const after = await client.request(`${up.url}/ok`)
            return [whileStreaming, after.statusCode, await after.body.text()]
          },
        },
        {
          path: '/fetch',
          handler: async (client) => {
            const first = await client.fetch(`${up.url}/ok`)
            const second = await client.fetch(`${up.url}/ok`)
            return [first.status, await first.text(), second.status, await second.text()]
          },
        },
      ])
      expect(JSON.parse((await send(`${app.url}/request`)).text)).toEqual(['connection_limit_reached', 200, 'ok'])
      expect(JSON.parse((await send(`${app.url}/fetch`)).text)).toEqual([200, 'ok', 200, 'ok'])
    })
  })
}
