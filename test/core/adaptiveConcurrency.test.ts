import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createGateway } from '~core/gateway/createGateway.js'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'
import { writeResponse } from '~core/seam/writeResponse.js'
import { send } from '../contract/harness.js'

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  )
}

describe("concurrency: 'adaptive' through real sockets", () => {
  it('lowers the limit when the upstream slows down under load, and raises it again once it is fast', async () => {
    // an upstream whose answers take `delay` ms
    // (20 ms when fast: on a busy shared machine the gateway's own jitter is a few ms, which against
    // 5 ms answers looked like queueing)
    const upstream = { delay: 20 }
    const up = createServer((_req, res) => {
      setTimeout(() => res.end('ok'), upstream.delay)
    })
    const upstreamUrl = await listen(up)
    // the ceiling (pool.connections) under the load's concurrency: the target is always busy at its limit
    const gateway = createGateway({
      target: upstreamUrl,
      concurrency: 'adaptive',
      pool: { connections: 24 },
      timeout: { queue: 10_000 },
    })
    const app = createServer((req, res) => {
      const request = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: clientGoneSignal(res) })
      gateway.proxy(request).then((response) => response && writeResponse(res, response))
    })
    const url = await listen(app)
    onTestFinished(async () => {
      app.closeAllConnections()
      up.closeAllConnections()
      await new Promise((resolve) => app.close(resolve))
      await new Promise((resolve) => up.close(resolve))
      await gateway.close(0)
    })
    const limit = () => (gateway.health().targets[0] as { limit: number }).limit
    /** Keep `concurrency` requests under way for `count` answers. */
    const load = async (count: number, concurrency: number) => {
      let left = count
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (left-- > 0) await send(`${url}/x`)
        }),
      )
    }
    await load(300, 32)
    const fast = limit()
    expect(fast).toBeGreaterThan(10)
    upstream.delay = 150
    await load(200, 32)
    const slow = limit()
    expect(slow).toBeLessThan(fast)
    upstream.delay = 20
    await load(600, 32)
    expect(limit()).toBeGreaterThan(slow)
  })
})
