import { createServer } from 'node:http'
import { gatewayMiddleware as expressGateway } from '@gateway-middleware/express'
import { gatewayPlugin } from '@gateway-middleware/fastify'
import { gatewayMiddleware as koaGateway } from '@gateway-middleware/koa'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, send, upstream } from '../contract/harness.js'
import { waitFor } from '../helpers/waitFor.js'

type Closable = { close(graceMs?: number): Promise<void> }

/** An app of each framework with a proxy, and how to close its gateway alone. */
const FRAMEWORKS: ReadonlyArray<
  readonly [string, (target: string) => Promise<{ url: string; close: Closable['close'] }>]
> = [
  [
    'express',
    async (target) => {
      const app = express()
      const gateway = expressGateway({ target, retry: false })
      app.use(gateway)
      const server = await listen(createServer(app), () => gateway.close(0))
      onTestFinished(() => server.close())
      return { url: server.url, close: (graceMs) => gateway.close(graceMs) }
    },
  ],
  [
    'koa',
    async (target) => {
      const app = new Koa()
      app.silent = true
      const gateway = koaGateway({ target, retry: false })
      app.use(gateway)
      const server = await listen(createServer(app.callback()), () => gateway.close(0))
      onTestFinished(() => server.close())
      return { url: server.url, close: (graceMs) => gateway.close(graceMs) }
    },
  ],
  [
    'fastify',
    async (target) => {
      const app = Fastify()
      await app.register(gatewayPlugin, { target, retry: false, gracePeriod: 300 })
      await app.ready()
      const server = await listen(app.server, () => app.close())
      onTestFinished(() => server.close())
      // Fastify closes the gateway from its onClose hook, with the gracePeriod option
      return { url: server.url, close: () => app.close() }
    },
  ],
]

describe.each(FRAMEWORKS)('shutdown (%s)', (_name, start) => {
  it('close() lets an in-flight request finish, takes no new upstream calls, and leaves nothing open', async () => {
    const up = await upstream()
    const app = await start(up.url)
    const inFlight = send(`${app.url}/slow-headers?ms=200`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const closed = app.close(2000)
    const late = await send(`${app.url}/ok`).catch(() => undefined)
    if (late !== undefined) expect(late.status).toBe(503)
    expect((await inFlight).status).toBe(200)
    await closed
    expect(up.hits('/ok')).toBe(0)
    await waitFor(() => up.openSockets() === 0)
  })

  it('close() aborts what is still running after the grace period', async () => {
    const up = await upstream()
    const app = await start(up.url)
    const inFlight = send(`${app.url}/hang`).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    await app.close(300)
    expect(performance.now() - started).toBeLessThan(2000)
    await up.waitForAborted(1, 2000)
    const res = await inFlight
    if (res !== undefined) expect(res.status).toBe(503)
    await waitFor(() => up.openSockets() === 0)
  })
})
