import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, gateway, send } from './harness.js'

/** An upstream whose health answer can be switched, counting what it serves. */
async function switchable(healthy: boolean) {
  const seen = { probes: [] as IncomingHttpHeaders[], served: 0, healthy }
  const server = createServer((req, res) => {
    if (req.url === '/base/healthz') {
      seen.probes.push(req.headers)
      res.writeHead(seen.healthy ? 200 : 503).end()
      return
    }
    seen.served++
    res.writeHead(200, { 'content-type': 'text/plain' }).end('served')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const { port } = server.address() as AddressInfo
  return { seen, url: `http://127.0.0.1:${port}/base` }
}

const CHECK = { path: '/healthz', interval: 50, timeout: 500 }

/** Active health checks and `health()`, through a real framework. */
export function healthContract(build: BuildApp): void {
  describe('health', () => {
    it('a target failing its health check is out of the rotation before any request fails on it, and back once it passes', async () => {
      const good = await switchable(true)
      const sick = await switchable(false)
      const app = await gateway(build, '', { target: [good.url, sick.url], healthCheck: CHECK })
      await waitFor(() => sick.seen.probes.length >= 2)
      for (let i = 0; i < 6; i++) expect((await send(`${app.url}/x`)).status).toBe(200)
      expect(sick.seen.served).toBe(0)
      expect(good.seen.served).toBe(6)
      sick.seen.healthy = true
      const probed = sick.seen.probes.length
      await waitFor(() => sick.seen.probes.length >= probed + 2)
      for (let i = 0; i < 6; i++) await send(`${app.url}/x`)
      expect(sick.seen.served).toBeGreaterThan(0)
    })

    it('probes carry no client headers, name the gateway, and stop on close()', async () => {
      const up = await switchable(true)
      const app = await gateway(build, '', { target: up.url, healthCheck: CHECK })
      await send(`${app.url}/x`, { headers: { cookie: 'session=c00k1e', authorization: 'Bearer t0k3n' } })
      await waitFor(() => up.seen.probes.length >= 2)
      for (const headers of up.seen.probes) {
        expect(headers.cookie).toBeUndefined()
        expect(headers.authorization).toBeUndefined()
        expect(headers['user-agent']).toBe('gateway-middleware health check')
      }
      await app.closeGateway(0)
      const after = up.seen.probes.length
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(up.seen.probes.length).toBe(after)
    })

    it('health() reports each target by position, its state, probe verdict, latest failure and in-flight count; addresses only when asked', async () => {
      const good = await switchable(true)
      const sick = await switchable(false)
      const down = await refusedUrl()
      const app = await gateway(build, '', {
        target: [good.url, sick.url, down],
        healthCheck: CHECK,
        circuit: { failures: 1 },
      })
      await waitFor(() => sick.seen.probes.length >= 1)
      await waitFor(() => (app.health().targets[2] as { probe?: string }).probe === 'failing')
      const report = app.health()
      expect(report.status).toBe('pass')
      expect(report.targets).toEqual([
        expect.objectContaining({ target: 'target[0]', state: 'healthy', probe: 'passing', inFlight: 0 }),
        expect.objectContaining({ target: 'target[1]', state: 'ejected', probe: 'failing', inFlight: 0 }),
        expect.objectContaining({ target: 'target[2]', state: 'ejected', probe: 'failing', inFlight: 0 }),
      ])
      expect(JSON.stringify(report)).not.toMatch(/127\.0\.0\.1/)
      const withAddresses = app.health({ addresses: true })
      expect((withAddresses.targets[0] as { target: string }).target).toBe(new URL(good.url).origin)
    })
  })
}
