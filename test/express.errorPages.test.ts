import { createServer } from 'node:http'
import type { FailureContext, GatewayOptions } from '@gateway-middleware/core'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, send, upstream } from './contract/harness.js'
import { refusedUrl } from './helpers/faultUpstream.js'

/** A guarded Express app: `/down` calls a refused upstream, `/hang` a hanging one. */
async function guarded(options: GatewayOptions) {
  const up = await upstream()
  const refused = await refusedUrl()
  const app = express()
  const guard = gatewayMiddleware(options)
  app.use(guard)
  app.get('/down', async (req, res) => {
    res.json(await (await req.gateway.request(refused)).body.json())
  })
  app.get('/hang', async (req, res) => {
    res.send(await (await req.gateway.request(`${up.url}/hang`)).body.text())
  })
  app.use(gatewayErrorHandler())
  const started = await listen(createServer(app), () => guard.close())
  onTestFinished(() => started.close())
  return started
}

describe('express guard mode: error pages', () => {
  it('a route’s upstream failure is negotiated and keeps the request id', async () => {
    const app = await guarded({ retry: false })
    const res = await send(`${app.url}/down`, {
      headers: { accept: 'application/problem+json', 'x-request-id': 'g-1' },
    })
    expect(res.status).toBe(502)
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
    expect(res.headers['x-request-id']).toBe('g-1')
    expect(JSON.parse(res.text)).toMatchObject({ status: 502, requestId: 'g-1', proxyStatus: 'connection_refused' })
  })

  it('an async custom page answers a route’s failure', async () => {
    const app = await guarded({ retry: false, errorPages: { 502: async (e, r) => `<p>${e?.code} ${r.requestId}</p>` } })
    const res = await send(`${app.url}/down`, { headers: { 'x-request-id': 'g-2' } })
    expect(res.status).toBe(502)
    expect(res.text).toBe('<p>connection_refused g-2</p>')
  })

  it('the deadline’s 504 uses the custom page too', async () => {
    const app = await guarded({ timeout: { total: 300 }, errorPages: { 504: async () => '<p>late</p>' } })
    const res = await send(`${app.url}/hang`)
    expect(res.status).toBe(504)
    expect(res.text).toBe('<p>late</p>')
  })

  it('a slow custom page at the deadline -> the default 504 page after about a second, and onError is told', async () => {
    const told: FailureContext[] = []
    const app = await guarded({
      timeout: { total: 300 },
      errorPages: { 504: () => new Promise(() => {}) },
      onError: (_error, context) => {
        if (context.errorPage !== undefined) told.push(context)
      },
    })
    const started = performance.now()
    const res = await send(`${app.url}/hang`)
    expect(res.status).toBe(504)
    expect(res.text).toContain('<h1>Gateway Timeout</h1>')
    expect(performance.now() - started).toBeGreaterThan(1200)
    expect(told).toEqual([expect.objectContaining({ errorPage: '504', path: '/hang' })])
  })
})
