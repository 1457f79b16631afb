import type { GatewayClient, GatewayOptions } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { forwardProxy } from '../helpers/forwardProxy.js'
import { fixture } from '../helpers/tls.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildGuardApp, expectNoLeak, guardedApp, type SeenResponse, send, upstream } from './harness.js'

/** The two ways a route calls an upstream: `request()` and `fetch()`. */
const CALLS: Array<[string, (client: GatewayClient, url: string) => Promise<string>]> = [
  ['request()', async (client, url) => (await client.request(url)).body.text()],
  ['fetch()', async (client, url) => (await client.fetch(url)).text()],
]

/** The gateway's answer to a failure at the outbound proxy: named as the next hop, its address nowhere. */
function expectProxyFailure(res: SeenResponse, status: number, proxyStatus: string, proxyPort: number): void {
  expect(res.status).toBe(status)
  expect(res.headers['proxy-status']).toBe(`gateway-middleware; ${proxyStatus}`)
  expect(res.headers['cache-control']).toBe('no-store')
  expectNoLeak(`${JSON.stringify(res.headers)}\n${res.text}`, proxyPort)
}

/** Guard mode's `outboundProxy`: the routes' upstream calls through a forward proxy (as behind a corporate one). */
export function outboundProxyContract(build: BuildGuardApp): void {
  const guarded = (options: GatewayOptions, call: (client: GatewayClient) => Promise<unknown>) =>
    guardedApp(build, options, [{ path: '/x', handler: async (client) => ({ body: await call(client) }) }])

  describe('outboundProxy', () => {
    /** An https upstream the gateway trusts through `tls.ca` (calls to it go through a CONNECT tunnel). */
    const tlsUpstream = () => upstream({ tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') } })
    const ca = { tls: { ca: fixture('ca.pem') } }

    it.each(CALLS)(
      '%s to an http: upstream goes through the proxy in absolute form (as curl sends it)',
      async (_name, call) => {
        const up = await upstream()
        const proxy = await forwardProxy()
        const app = await guarded({ outboundProxy: proxy.url }, (client) => call(client, `${up.url}/ok`))
        const res = await send(`${app.url}/x`)
        expect(res.status).toBe(200)
        expect(JSON.parse(res.text)).toEqual({ body: 'ok' })
        expect(proxy.seen).toEqual([`GET ${up.url}/ok`])
      },
    )

    it.each(CALLS)(
      '%s to an https: upstream goes through a CONNECT tunnel, with the gateway’s tls.ca',
      async (_name, call) => {
        const up = await tlsUpstream()
        const proxy = await forwardProxy()
        const app = await guarded({ outboundProxy: proxy.url, ...ca }, (client) => call(client, `${up.url}/ok`))
        const res = await send(`${app.url}/x`)
        expect(res.status).toBe(200)
        expect(JSON.parse(res.text)).toEqual({ body: 'ok' })
        expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${up.port}`])
      },
    )

    it('noProxy: a listed host:port is called directly, others through the proxy', async () => {
      const direct = await upstream()
      const proxied = await upstream()
      const proxy = await forwardProxy()
      const app = await guarded(
        { outboundProxy: { http: proxy.url, noProxy: `127.0.0.1:${direct.port}` } },
        async (client) => {
          const a = await (await client.request(`${direct.url}/ok`)).body.text()
          const b = await (await client.request(`${proxied.url}/ok`)).body.text()
          return `${a}+${b}`
        },
      )
      const res = await send(`${app.url}/x`)
      expect(JSON.parse(res.text)).toEqual({ body: 'ok+ok' })
      expect(proxy.seen).toEqual([`GET ${proxied.url}/ok`])
      expect(direct.requests).toHaveLength(1)
    })

    it('repeated request header fields keep every value through the proxy (undici keeps only the last)', async () => {
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      const app = await guarded({ outboundProxy: proxy.url, ...ca }, async (client) =>
        (await client.request(`${up.url}/ok`, { headers: ['x-tag', 'a', 'x-tag', 'b', 'x-one', '1'] })).body.text(),
      )
      expect((await send(`${app.url}/x`)).status).toBe(200)
      const raw = up.requests[0]?.rawHeaders ?? []
      const values = (name: string) => raw.filter((_v, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === name)
      expect(values('x-tag')).toEqual(['a', 'b'])
      expect(values('x-one')).toEqual(['1'])
    })

    it("the proxy's credentials go to the proxy only, never through the tunnel to the upstream", async () => {
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      const app = await guarded({ outboundProxy: proxy.url.replace('//', '//corp:s3cret@'), ...ca }, async (client) =>
        (await client.request(`${up.url}/ok`)).body.text(),
      )
      expect((await send(`${app.url}/x`)).status).toBe(200)
      expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('corp:s3cret').toString('base64')}`])
      expect(up.requests[0]?.headers['proxy-authorization']).toBeUndefined()
      expect(JSON.stringify(up.requests[0]?.headers)).not.toContain('s3cret')
    })

    it.each(
      CALLS.flatMap(([name, call]) => (['http', 'https'] as const).map((scheme) => [name, scheme, call] as const)),
    )(
      '%s to an %s: upstream: a proxy that refuses the connection -> 502 connection_refused at next-hop=outbound-proxy',
      async (_name, scheme, call) => {
        const up = scheme === 'http' ? await upstream() : await tlsUpstream()
        const proxyUrl = await refusedUrl()
        const app = await guarded({ outboundProxy: proxyUrl, retry: false, ...ca }, (client) =>
          call(client, `${up.url}/ok`),
        )
        const res = await send(`${app.url}/x`)
        expectProxyFailure(
          res,
          502,
          'error=connection_refused; next-hop=outbound-proxy',
          Number(new URL(proxyUrl).port),
        )
        expect(up.requests).toHaveLength(0)
      },
    )

    it('a proxy whose name does not resolve -> 502 dns_error at next-hop=outbound-proxy', async () => {
      const up = await upstream()
      const app = await guarded(
        { outboundProxy: `http://${'a'.repeat(40)}.invalid:3128`, retry: false },
        async (client) => (await client.request(`${up.url}/ok`)).body.text(),
      )
      const res = await send(`${app.url}/x`)
      expectProxyFailure(res, 502, 'error=dns_error; next-hop=outbound-proxy', 3128)
      expect(res.text).not.toContain('.invalid')
    })

    it.each(CALLS.flatMap(([name, call]) => [407, 403, 502].map((status) => [name, status, call] as const)))(
      '%s: a proxy answering the CONNECT with %i -> 502 connection_refused, received-status named',
      async (_name, status, call) => {
        const up = await tlsUpstream()
        const proxy = await forwardProxy()
        proxy.refuseWith = status
        const app = await guarded({ outboundProxy: proxy.url, retry: false, ...ca }, (client) =>
          call(client, `${up.url}/ok`),
        )
        const res = await send(`${app.url}/x`)
        expectProxyFailure(
          res,
          502,
          `error=connection_refused; next-hop=outbound-proxy; received-status=${status}`,
          proxy.port,
        )
        expect(up.requests).toHaveLength(0)
      },
    )

    it.each(CALLS)(
      '%s: a proxy answering an absolute-form request with 407 -> 502 connection_refused, received-status=407',
      async (_name, call) => {
        const up = await upstream()
        const proxy = await forwardProxy()
        proxy.refuseWith = 407
        const app = await guarded({ outboundProxy: proxy.url, retry: false }, (client) => call(client, `${up.url}/ok`))
        const res = await send(`${app.url}/x`)
        expectProxyFailure(
          res,
          502,
          'error=connection_refused; next-hop=outbound-proxy; received-status=407',
          proxy.port,
        )
        expect(up.requests).toHaveLength(0)
      },
    )

    it("a proxy's own 502 to an absolute-form request is the route's answer to handle, as an upstream's 5xx", async () => {
      const up = await upstream()
      const proxy = await forwardProxy()
      proxy.refuseWith = 502
      const app = await guarded(
        { outboundProxy: proxy.url, retry: false },
        async (client) => (await client.request(`${up.url}/ok`)).statusCode,
      )
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ body: 502 })
    })

    it('a proxy answering the CONNECT with 504 -> 504 connection_timeout at next-hop=outbound-proxy', async () => {
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      proxy.refuseWith = 504
      const app = await guarded({ outboundProxy: proxy.url, retry: false, ...ca }, async (client) =>
        (await client.request(`${up.url}/ok`)).body.text(),
      )
      const res = await send(`${app.url}/x`)
      expectProxyFailure(res, 504, 'error=connection_timeout; next-hop=outbound-proxy; received-status=504', proxy.port)
    })

    it('the log record names the outbound proxy as the next hop (its alias), never its address', async () => {
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      proxy.refuseWith = 407
      const records: Array<Record<string, unknown>> = []
      const keep = (record: object) => {
        records.push(record as Record<string, unknown>)
      }
      const logger = { error: keep, warn: keep, info: keep, debug: keep }
      const app = await guarded({ outboundProxy: proxy.url, retry: false, logger, ...ca }, async (client) =>
        (await client.request(`${up.url}/ok`)).body.text(),
      )
      expect((await send(`${app.url}/x`)).status).toBe(502)
      await waitFor(() => records.length > 0)
      expect(records[0]).toMatchObject({
        kind: 'connection_refused',
        nextHop: 'outbound-proxy',
        receivedStatus: 407,
        status: 502,
      })
      expect(JSON.stringify(records)).not.toContain(String(proxy.port))
    })

    it('an https: upstream failing inside the tunnel is not blamed on the proxy', async () => {
      // (through absolute form, the proxy itself reads the upstream's answer and answers for it)
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      const app = await guarded({ outboundProxy: proxy.url, retry: false, ...ca }, async (client) =>
        (await client.request(`${up.url}/garbage`)).body.text(),
      )
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(502)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_protocol_error')
    })

    it('a refusing proxy is retried like a refusing upstream (nothing reached the upstream), even for a POST', async () => {
      const up = await tlsUpstream()
      const proxy = await forwardProxy()
      proxy.refuseWith = 502
      const app = await guarded({ outboundProxy: proxy.url, retry: { limit: 2 }, ...ca }, async (client) =>
        (await client.request(`${up.url}/ok`, { method: 'POST', body: 'x' })).body.text(),
      )
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(502)
      expect(proxy.seen).toEqual(Array(3).fill(`CONNECT 127.0.0.1:${up.port}`))
    })
  })
}
