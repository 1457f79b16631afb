import { createServer } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import type { Express } from 'express'
import { expect, it, onTestFinished } from 'vitest'
import { listen, send, upstream } from '../contract/harness.js'
import { asyncRoute, type ExpressVersion } from '../frameworks/expressVersions.js'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { neverSettlingPage } from '../helpers/neverSettlingPage.js'
import { nextWarning } from '../helpers/nextWarning.js'

async function start(app: Express, close: () => Promise<unknown>) {
  const started = await listen(createServer(app), close)
  onTestFinished(() => started.close())
  return started
}

/**
 * The Express adapter's own etiquette, for one Express major. Each major runs it from its own test
 * file: the misuse warnings it waits for come once per process.
 */
export function expressAdapterSuite(version: ExpressVersion): void {
  const { express } = version

  it('a header undici refuses from rewriteRequestHeaders -> the gateway 500 (no stack page), warned once naming the hooks', async () => {
    const up = await upstream()
    const app = express()
    const gateway = gatewayMiddleware({
      target: up.url,
      rewriteRequestHeaders: (headers) => ({ ...headers, 'x-bad': 'line\r\nbreak' }),
    })
    app.use(gateway)
    const { url } = await start(app, () => gateway.close())
    const warning = nextWarning('GATEWAY_UPSTREAM_REQUEST_REFUSED')
    const res = await send(`${url}/echo`)
    expect(res.status).toBe(500)
    expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
    // Express's final handler (NODE_ENV unset) would print the stack: `InvalidArgumentError: … at processHeader (…)`
    expect(res.text).not.toMatch(/InvalidArgumentError|node_modules|\bat \S+ \(/)
    expect((await warning).message).toMatch(/rewriteRequestHeaders and rewritePath/)
    expect(up.hits('/echo')).toBe(0)
  })

  it('an upstream failure without gatewayErrorHandler() behind the routes warns once, naming the fix', async () => {
    const target = await refusedUrl()
    const app = express()
    const guard = gatewayMiddleware()
    app.use(guard)
    app.get(
      '/x',
      asyncRoute(version, async (req) => {
        await req.gateway.request(target)
      }),
    )
    const { url } = await start(app, () => guard.close())
    const warning = nextWarning('GATEWAY_NO_ERROR_HANDLER')
    const res = await send(`${url}/x`)
    expect(res.status).toBe(502)
    expect((await warning).message).toMatch(/app\.use\(gatewayErrorHandler\(\)\)/)
  })

  it('gatewayErrorHandler leaves a route’s error alone once the deadline answered: a slow custom page is asked for once, onError told once', async () => {
    const up = await upstream()
    const { options, told, asked } = neverSettlingPage()
    const app = express()
    const guard = gatewayMiddleware(options)
    app.use(guard)
    app.get(
      '/hang',
      asyncRoute(version, async (req, res) => {
        // the deadline aborts this call: its error reaches gatewayErrorHandler while the page still renders
        res.send(await (await req.gateway.request(`${up.url}/hang`)).body.text())
      }),
    )
    app.use(gatewayErrorHandler())
    const { url } = await start(app, () => guard.close())
    const res = await send(`${url}/hang`)
    expect(res.status).toBe(504)
    expect(res.text).toContain('<h1>Gateway Timeout</h1>')
    expect(asked.pages).toBe(1)
    expect(told).toEqual([expect.objectContaining({ errorPage: '504', path: '/hang' })])
  })

  it('gatewayErrorHandler leaves errors of unguarded requests to Express', async () => {
    const app = express()
    app.get('/x', () => {
      throw Object.assign(new Error('ECONNREFUSED-like'), { code: 'ECONNREFUSED' })
    })
    app.use(gatewayErrorHandler())
    const { url } = await start(app, async () => {})
    const res = await send(`${url}/x`)
    expect(res.headers['proxy-status']).toBeUndefined()
  })

  /**
   * The gateway behind a middleware that counts reads of `field` on each `req` (every read gives
   * `undefined`, as on a request no parser touched).
   */
  async function gatewayCountingReads(field: 'body' | 'rawBody'): Promise<{ url: string; reads: () => number }> {
    const up = await upstream()
    const app = express()
    let reads = 0
    app.use((req, _res, next) => {
      Object.defineProperty(req, field, {
        configurable: true,
        get() {
          reads++
          return undefined
        },
      })
      next()
    })
    const gateway = gatewayMiddleware({ target: up.url })
    app.use(gateway)
    const { url } = await start(app, () => gateway.close())
    return { url, reads: () => reads }
  }

  it('a request no body parser read: req.rawBody is not looked up (a field req lacks is the dearest read on Express), the body still forwarded', async () => {
    const { url, reads } = await gatewayCountingReads('rawBody')
    const res = await send(`${url}/echo`, { method: 'POST', body: 'abc', headers: { 'content-type': 'text/plain' } })
    expect(res.status).toBe(200)
    expect((JSON.parse(res.text) as { bodyLength: number }).bodyLength).toBe(3)
    expect(reads()).toBe(0)
  })

  it('a request without a body: req.body is not looked up (nothing a parser left there is used then)', async () => {
    const { url, reads } = await gatewayCountingReads('body')
    const res = await send(`${url}/echo`)
    expect(res.status).toBe(200)
    expect(reads()).toBe(0)
  })
}
