import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type BuildApp, gateway, send } from './harness.js'

/** An upstream that answers every request with `status`, counting them. */
async function answering(status: number) {
  const seen = { count: 0 }
  const server = createServer((_req, res) => {
    seen.count++
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Outlier detection on answers (opt-in): consecutive 5xx eject a target, within a cap. */
export function outlierContract(build: BuildApp): void {
  describe('outlier detection on answers', () => {
    it('circuit.consecutive5xx: a target answering 5xx in a row is ejected and the others take its requests', async () => {
      const good = await answering(200)
      const bad = await answering(500)
      const app = await gateway(build, '', {
        target: [good.url, bad.url],
        retry: false,
        circuit: { consecutive5xx: 3, halfOpenAfter: 60_000 },
      })
      for (let i = 0; i < 12; i++) await send(`${app.url}/x`)
      // round robin gave the bad target 3 requests before it was ejected, then none
      expect(bad.seen.count).toBe(3)
      expect(good.seen.count).toBe(9)
      expect((app.health().targets[1] as { state: string }).state).toBe('ejected')
    })

    it('never ejects the last healthy target for its answers alone', async () => {
      const bad = await answering(503)
      const app = await gateway(build, '', { target: bad.url, retry: false, circuit: { consecutive5xx: 2 } })
      const statuses: number[] = []
      for (let i = 0; i < 6; i++) statuses.push((await send(`${app.url}/x`)).status)
      expect(statuses).toEqual([503, 503, 503, 503, 503, 503])
      expect(bad.seen.count).toBe(6)
    })

    it('answers eject nothing unless asked for (the default)', async () => {
      const good = await answering(200)
      const bad = await answering(500)
      const app = await gateway(build, '', { target: [good.url, bad.url], retry: false })
      for (let i = 0; i < 10; i++) await send(`${app.url}/x`)
      expect(bad.seen.count).toBe(5)
    })
  })
}
