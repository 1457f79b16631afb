import { createServer } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, send, upstream } from './contract/harness.js'
import { refusedUrl } from './helpers/faultUpstream.js'
import { nextWarning } from './helpers/nextWarning.js'

async function start(app: express.Express, close: () => Promise<void>) {
  const started = await listen(createServer(app), close)
  onTestFinished(() => started.close())
  return started
}

describe('express adapter', () => {
  it('a body parser mounted before the proxy -> 500 naming the fix, never a hang or an empty body upstream', async () => {
    const up = await upstream()
    const app = express()
    const gateway = gatewayMiddleware({ target: up.url })
    app.use(express.json())
    app.use(gateway)
    const { url } = await start(app, () => gateway.close())
    const warning = nextWarning('GATEWAY_BODY_CONSUMED')
    const res = await send(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(res.status).toBe(500)
    expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
    expect((await warning).message).toMatch(/Mount the gateway before body parsers/)
    expect(up.hits('/echo')).toBe(0)
  })

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
    app.get('/x', async (req) => {
      await req.gateway.request(target)
    })
    const { url } = await start(app, () => guard.close())
    const warning = nextWarning('GATEWAY_NO_ERROR_HANDLER')
    const res = await send(`${url}/x`)
    expect(res.status).toBe(502)
    expect((await warning).message).toMatch(/app\.use\(gatewayErrorHandler\(\)\)/)
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
})
