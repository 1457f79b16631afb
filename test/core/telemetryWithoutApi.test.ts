import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { GatewayEvents } from '~core/events/GatewayEvents.js'
import { createGateway } from '~core/gateway/createGateway.js'
import { loadOpenTelemetry } from '~core/observe/loadOpenTelemetry.js'
import { subscribeTelemetry } from '~core/observe/subscribeTelemetry.js'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'
import { writeResponse } from '~core/seam/writeResponse.js'
import { send } from '../contract/harness.js'
import { refusedUrl, startFaultUpstream } from '../helpers/faultUpstream.js'
import { processErrors } from '../helpers/processErrors.js'

// @opentelemetry/api is an optional peer dependency: here it is not installed
vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api' imported from gateway-middleware")
})

/** Process warnings of the gateway's from now until the current test finishes. */
function warnings(): string[] {
  const seen: string[] = []
  const record = (warning: Error & { code?: string }) => {
    if (warning.code?.startsWith('GATEWAY_')) seen.push(warning.code)
  }
  process.on('warning', record)
  onTestFinished(() => {
    process.off('warning', record)
  })
  return seen
}

describe('without @opentelemetry/api', () => {
  it('the import fails quietly: the loader resolves with nothing', async () => {
    await expect(loadOpenTelemetry()).resolves.toBeUndefined()
  })

  it('a gateway with the default telemetry proxies, answers its failures, and neither throws nor warns', async () => {
    const crashes = processErrors()
    const told = warnings()
    const up = await startFaultUpstream()
    onTestFinished(() => up.close())
    const refused = await refusedUrl()
    for (const target of [up.url, refused]) {
      const gateway = createGateway({ target, retry: false })
      const server = createServer((req, res) => {
        const request = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: clientGoneSignal(res) })
        void gateway.proxy(request).then((response) => response && writeResponse(res, response))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      onTestFinished(async () => {
        server.closeAllConnections()
        await new Promise((resolve) => server.close(resolve))
        await gateway.close(0)
      })
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const res = await send(`${url}/echo`, {
        headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      })
      expect(res.status).toBe(target === refused ? 502 : 200)
    }
    // the client's traceparent went through untouched
    expect(up.requests[0]?.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(crashes).toEqual([])
    expect(told).toEqual([])
  })

  it('nothing is subscribed to the event seam: nothing is built per request', async () => {
    const events = new GatewayEvents()
    const telemetry = resolveOptions({}).telemetry
    if (telemetry === undefined) throw new Error('telemetry is on by default')
    subscribeTelemetry(events, telemetry, undefined)
    await loadOpenTelemetry()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(Object.values(events.wants).some(Boolean)).toBe(false)
  })

  it('a loader that rejects (an API of an unexpected shape) is one warning, and nothing subscribed', async () => {
    const told = warnings()
    const events = new GatewayEvents()
    const telemetry = resolveOptions({}).telemetry
    if (telemetry === undefined) throw new Error('telemetry is on by default')
    subscribeTelemetry(events, telemetry, undefined, () => Promise.reject(new TypeError('api.metrics is undefined')))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(told).toEqual(['GATEWAY_TELEMETRY_FAILED'])
    expect(Object.values(events.wants).some(Boolean)).toBe(false)
  })
})
