import { createServer } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, send } from './contract/harness.js'
import { refusedUrl } from './helpers/faultUpstream.js'
import { nextWarning } from './helpers/nextWarning.js'

async function start(app: express.Express, close: () => Promise<void>) {
  const started = await listen(createServer(app), close)
  onTestFinished(() => started.close())
  return started
}

describe('express adapter', () => {
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
