import { describe, expect, it } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

const ENTRY = /^upstream;dur=\d+(\.\d)?(, connect;dur=\d+(\.\d)?)?(, ttfb;dur=\d+(\.\d)?)?$/

/** `serverTiming`: where the time went, for a browser's developer tools; off by default. */
export function serverTimingContract(build: BuildApp): void {
  describe('Server-Timing', () => {
    it('is not sent by default (it tells clients about internal latency)', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/ok`)
      expect(res.status).toBe(200)
      expect(res.headers['server-timing']).toBeUndefined()
    })

    it('serverTiming: true times a forwarded response: upstream, connect and ttfb', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, serverTiming: true })
      const res = await send(`${app.url}/slow-headers?ms=50`)
      expect(res.status).toBe(200)
      const value = res.headers['server-timing'] as string
      expect(value).toMatch(ENTRY)
      expect(value).toContain(', connect;dur=')
      // the upstream took 50 ms to answer: it shows (timers never fire early)
      expect(Number(/ttfb;dur=([\d.]+)/.exec(value)?.[1])).toBeGreaterThanOrEqual(45)
    })

    it("serverTiming: true times the gateway's own answer too", async () => {
      const app = await gateway(build, '', { target: await refusedUrl(), retry: false, serverTiming: true })
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(502)
      expect(res.headers['server-timing']).toMatch(ENTRY)
    })
  })
}
