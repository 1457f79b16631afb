import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { GatewayOptions } from '@gateway-middleware/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { GatewayError } from '~core/errors/GatewayError.js'
import type {
  AttemptEvent,
  AttemptStartEvent,
  DepartureEvent,
  HealthEvent,
  ResponseEvent,
} from '~core/events/GatewayEvents.js'
import { GatewayEvents, type GatewayObserver } from '~core/events/GatewayEvents.js'
import { createGateway } from '~core/gateway/createGateway.js'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'
import { writeResponse } from '~core/seam/writeResponse.js'
import { send } from '../contract/harness.js'
import { startFaultUpstream } from '../helpers/faultUpstream.js'
import { waitFor } from '../helpers/waitFor.js'

/** The smallest adapter: node:http in front of the core, and everything the event seam says. */
async function proxyApp(options: GatewayOptions) {
  const gateway = createGateway(options)
  const seen = {
    attempts: [] as AttemptEvent[],
    health: [] as HealthEvent[],
    responses: [] as ResponseEvent[],
    departures: [] as DepartureEvent[],
  }
  gateway.subscribe({
    attempt: (event) => seen.attempts.push(event),
    health: (event) => seen.health.push(event),
    response: (event) => seen.responses.push(event),
    departure: (event) => seen.departures.push(event),
  })
  const server = createServer((req, res) => {
    const request = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: clientGoneSignal(res) })
    gateway.proxy(request).then((response) => response && writeResponse(res, response))
  })
  await listen(server)
  onTestFinished(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await gateway.close(0)
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    subscribe: (observer: GatewayObserver) => gateway.subscribe(observer),
  }
}

function listen(server: Server, port = 0): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
}

async function upstream() {
  const up = await startFaultUpstream()
  onTestFinished(() => up.close())
  return up
}

describe('the event seam', () => {
  it('announces each attempt with its phases in order, then the response', async () => {
    const up = await upstream()
    const app = await proxyApp({ target: up.url })
    const res = await send(`${app.url}/flaky?fail=reset`)
    expect(res.status).toBe(200)
    expect(app.seen.attempts.map(({ attempt, status, error }) => [attempt, status, error?.code])).toEqual([
      [1, undefined, 'connection_terminated'],
      [2, 200, undefined],
    ])
    const { phases } = app.seen.attempts[1] as AttemptEvent
    const marks = [phases?.started, phases?.connected, phases?.sent, phases?.firstByte] as number[]
    expect(marks.every((mark, i) => typeof mark === 'number' && (i === 0 || mark >= (marks[i - 1] as number)))).toBe(
      true,
    )
    expect(app.seen.responses).toMatchObject([
      { method: 'GET', path: '/flaky?fail=reset', status: 200, error: undefined, attempts: 2 },
    ])
  })

  it("announces the gateway's own answer with its failure", async () => {
    const up = await upstream()
    const app = await proxyApp({ target: up.url, retry: false })
    await send(`${app.url}/garbage`)
    expect(app.seen.responses.map(({ status, error }) => [status, error?.code])).toEqual([[502, 'http_protocol_error']])
  })

  it('announces an ejected target and its restoration', async () => {
    // a target that is down, then back on the same port
    const probe = createServer((_req, res) => res.end('ok'))
    await listen(probe)
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const app = await proxyApp({
      target: `http://127.0.0.1:${port}`,
      retry: false,
      circuit: { failures: 1, halfOpenAfter: 100 },
    })
    const refused = await send(`${app.url}/`)
    expect(refused.status).toBe(502)
    expect(app.seen.health).toEqual([{ target: `http://127.0.0.1:${port}`, state: 'ejected', restMs: 100 }])
    const back = createServer((_req, res) => res.end('ok'))
    await listen(back, port)
    onTestFinished(() => new Promise<void>((resolve) => back.close(() => resolve())))
    await new Promise((resolve) => setTimeout(resolve, 150))
    const trial = await send(`${app.url}/`)
    expect(trial.status).toBe(200)
    expect(app.seen.health.map(({ state }) => state)).toEqual(['ejected', 'restored'])
  })

  it("lets an observer set a header on one attempt only, replacing the request's field of that name", async () => {
    const up = await upstream()
    const gateway = await proxyApp({ target: up.url })
    const starts: AttemptStartEvent[] = []
    gateway.subscribe({
      attemptStart(event) {
        starts.push(event)
        event.setHeader('X-Attempt', `attempt-${event.attempt}`)
      },
    })
    const res = await send(`${gateway.url}/flaky?fail=reset`, { headers: { 'x-attempt': 'from-the-client' } })
    expect(res.status).toBe(200)
    expect(
      up.requests.map(({ rawHeaders }) => rawHeaders.filter((_, i) => /^x-attempt$/i.test(rawHeaders[i - 1] ?? ''))),
    ).toEqual([['attempt-1'], ['attempt-2']])
    expect(
      starts.map(({ attempt, path, clientHeaders }) => [attempt, path, clientHeaders?.includes('from-the-client')]),
    ).toEqual([
      [1, '/flaky?fail=reset', true],
      [2, '/flaky?fail=reset', true],
    ])
    // each start's phase record is the one its outcome carries
    expect(gateway.seen.attempts.map(({ phases }) => phases)).toEqual(starts.map(({ phases }) => phases))
  })

  it('announces a client that leaves: a departure and its attempt aborted (neither status nor failure), not a failure', async () => {
    const up = await upstream()
    const app = await proxyApp({ target: up.url })
    const { request } = await import('node:http')
    const req = request(`${app.url}/hang`, { agent: false })
    req.on('error', () => {})
    req.end()
    await waitFor(() => up.hits('/hang') === 1)
    req.destroy()
    await waitFor(() => app.seen.departures.length === 1)
    expect(app.seen.departures).toMatchObject([{ method: 'GET', path: '/hang' }])
    expect(app.seen.responses).toEqual([])
    expect(app.seen.attempts).toMatchObject([{ attempt: 1, status: undefined, error: undefined, aborted: true }])
    expect(typeof app.seen.attempts[0]?.phases?.ended).toBe('number')
  })
})

describe('GatewayEvents', () => {
  it('tells a failure once, whoever reaches it first', () => {
    const events = new GatewayEvents()
    const told: number[] = []
    events.subscribe({ failure: (_error, context) => told.push(context.attempt) })
    const error = new GatewayError('connection_refused')
    events.failure(error, { method: 'GET', path: '/', target: '', attempt: 2 })
    events.failure(error, { method: 'GET', path: '/', target: '', attempt: 1 })
    expect(told).toEqual([2])
  })

  it('contains a throwing observer; the others are still told', () => {
    const events = new GatewayEvents()
    const told: string[] = []
    events.subscribe({
      retry: () => {
        throw new Error('observer bug')
      },
    })
    events.subscribe({ retry: (context) => told.push(context.reason) })
    events.retry({ method: 'GET', path: '/', target: '', attempt: 1, reason: 'connection_refused', delay: 0 })
    expect(told).toEqual(['connection_refused'])
  })

  it('wants nothing while nobody listens, and stops telling an observer that unsubscribed', () => {
    const events = new GatewayEvents()
    expect(Object.values(events.wants).some(Boolean)).toBe(false)
    const told: unknown[] = []
    const stop = events.subscribe({ departure: (event) => told.push(event) })
    expect(events.wants.departure).toBe(true)
    expect(events.wants.attempt).toBe(false)
    stop()
    expect(events.wants.departure).toBe(false)
    events.departure({ requestId: 'r', method: 'GET', path: '/' })
    expect(told).toEqual([])
  })
})
