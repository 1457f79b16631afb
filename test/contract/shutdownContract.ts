import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, expectGatewayAnswer, gateway, send, upstream } from './harness.js'

/** Shutting the gateway down: in-flight calls finish within the grace period, nothing new starts, nothing is left open. */
export function shutdownContract(build: BuildApp): void {
  describe('shutdown', () => {
    it('closing the gateway lets an in-flight request finish within gracePeriod, calls no upstream for new requests, and leaves no upstream connection open', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, retry: false, gracePeriod: 5000 })
      const inFlight = send(`${app.url}/slow-headers?ms=300`)
      await waitFor(() => up.hits('/slow-headers') === 1)
      const closed = app.closeGateway()
      // the gateway answers it 503 (Fastify answers it 503 itself: it is closing)
      expect((await send(`${app.url}/ok`)).status).toBe(503)
      const finished = await inFlight
      expect(finished.status).toBe(200)
      expect(finished.text).toBe('ok')
      await closed
      expect(up.hits('/ok')).toBe(0)
      await waitFor(() => up.openSockets() === 0)
    })

    it('closing the gateway aborts what still runs after gracePeriod: the upstream call is aborted, the client gets 503 destination_unavailable, nothing is left open', async () => {
      const took = await closeWhileHanging(build, 300)
      // timers never fire early: the in-flight call had its whole grace period
      expect(took).toBeGreaterThanOrEqual(250)
    })
  })
}

/**
 * `close(graceMs)` overrides the `gracePeriod` option: for the frameworks whose gateway has a close
 * of its own (Express, Koa). Fastify's `app.close()` takes no grace; the option applies there.
 */
export function graceArgumentContract(build: BuildApp): void {
  describe('shutdown with a grace argument', () => {
    it('close(graceMs) overrides gracePeriod: a hanging call is aborted after graceMs, not after the option’s 30 s', async () => {
      const took = await closeWhileHanging(build, 30_000, 300)
      // tells graceMs (300 ms) from gracePeriod (30 s); generous (over 15× graceMs) for a slow machine
      expect(took).toBeLessThan(5000)
      expect(took).toBeGreaterThanOrEqual(250)
    })
  })
}

/**
 * Close the gateway (with `graceMs` when given) while a request hangs upstream, and check what every
 * such close does: the upstream call aborted, the client answered 503, no upstream connection left.
 * Resolves with how long closing took.
 */
async function closeWhileHanging(build: BuildApp, gracePeriod: number, graceMs?: number): Promise<number> {
  const up = await upstream()
  const app = await gateway(build, '', { target: up.url, retry: false, gracePeriod })
  const inFlight = send(`${app.url}/hang`)
  await waitFor(() => up.hits('/hang') === 1)
  const started = performance.now()
  await app.closeGateway(graceMs)
  const took = performance.now() - started
  await up.waitForAborted(1)
  expectGatewayAnswer(await inFlight, 503, 'destination_unavailable', up.port)
  await waitFor(() => up.openSockets() === 0)
  return took
}
