import { request as httpRequest, type Server } from 'node:http'
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici'
import type { DataPoint } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { undiciInstrumentation } from '../../examples/undici-instrumentation.js'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { CALLER, histogram, registerSdk, testSdk, withAttributes } from '../helpers/openTelemetry.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, type BuildGuardApp, gateway, guardedApp, send, upstream } from './harness.js'

/** The HTTP semantic conventions' duration buckets, in seconds. */
const CONVENTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

/** The `traceparent` a span gives its callee. */
function traceparentOf(span: { spanContext(): { traceId: string; spanId: string } }): string {
  const { traceId, spanId } = span.spanContext()
  return `00-${traceId}-${spanId}-01`
}

/** Every `traceparent` field line an upstream request carried. */
function traceparents(rawHeaders: readonly string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 1 && rawHeaders[i - 1]?.toLowerCase() === 'traceparent')
}

/** The sum of an up/down counter's points. */
function total(points: DataPoint<unknown>[]): number {
  return points.reduce((sum, point) => sum + (point.value as number), 0)
}

/** Data points once there are some (the cut is told as the connection breaks, not before the client sees it). */
async function pointsSoon(collect: () => Promise<DataPoint<unknown>[]>): Promise<DataPoint<unknown>[]> {
  const until = performance.now() + 5000
  for (;;) {
    const points = await collect()
    if (points.length > 0 || performance.now() > until) return points
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Run the server's request listener inside a SERVER span, as the app's HTTP instrumentation
 * (`@opentelemetry/instrumentation-http`) does: the span is active for everything the app does.
 */
function serverSpans(server: Server): void {
  const tracer = trace.getTracer('test-http-instrumentation')
  const listeners = server.listeners('request') as Array<(...args: unknown[]) => void>
  server.removeAllListeners('request')
  server.on('request', (req, res) => {
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, root: true })
    res.on('close', () => span.end())
    context.with(trace.setSpan(context.active(), span), () => {
      for (const listener of listeners) listener.call(server, req, res)
    })
  })
}

/** OpenTelemetry metrics and traces with the real SDK, through a real framework. */
export function telemetryContract(build: BuildApp, buildGuard: BuildGuardApp): void {
  describe('OpenTelemetry', () => {
    it('a good, a refused and a timed-out call: http.client.request.duration per outcome (conventions buckets, bounded attributes), in-flight counts back to 0, the answers the gateway generated', async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const refused = await refusedUrl()
      const ok = await gateway(build, '/api', { target: up.url, timeout: { headers: 300 } })
      const down = await gateway(build, '/down', { target: refused, retry: false })
      const upPort = Number(new URL(up.url).port)
      const downPort = Number(new URL(refused).port)
      const secret = { 'x-request-id': 'req-s3cr3t', authorization: 'Bearer t0ps3cr3t' }

      expect((await send(`${ok.url}/api/ok?token=qu3ry`, { headers: secret })).status).toBe(200)
      expect((await send(`${down.url}/down/x`, { headers: secret })).status).toBe(502)
      // while /hang waits for its headers, its attempt is in flight
      const hanging = send(`${ok.url}/api/hang`)
      await waitFor(() => up.hits('/hang') === 1)
      expect(total(await sdk.points('http.client.active_requests'))).toBe(1)
      expect((await hanging).status).toBe(504)

      const durations = await sdk.points('http.client.request.duration')
      const server = (port: number) => ({
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': port,
      })
      expect(durations.map(({ attributes }) => attributes)).toEqual(
        expect.arrayContaining([
          { ...server(upPort), 'http.response.status_code': 200 },
          { ...server(downPort), 'error.type': 'connection_refused' },
          { ...server(upPort), 'error.type': 'http_response_timeout' },
        ]),
      )
      expect(durations).toHaveLength(3)
      for (const point of durations) {
        expect(histogram(point).count).toBe(1)
        expect(histogram(point).buckets.boundaries).toEqual(CONVENTION_BUCKETS)
      }
      const timedOut = histogram(withAttributes(durations, { 'error.type': 'http_response_timeout' })[0])
      // the attempt waited for timeout.headers: never less (timers do not fire early), in seconds
      expect(timedOut.sum).toBeGreaterThanOrEqual(0.3)
      expect(timedOut.sum).toBeLessThan(10)
      expect(total(await sdk.points('http.client.active_requests'))).toBe(0)

      const answers = await sdk.points('gateway.answers')
      expect(answers.map(({ attributes, value }) => [attributes, value])).toEqual(
        expect.arrayContaining([
          [{ 'http.response.status_code': 502, 'error.type': 'connection_refused' }, 1],
          [{ 'http.response.status_code': 504, 'error.type': 'http_response_timeout' }, 1],
        ]),
      )
      expect(answers).toHaveLength(2)
      const written = JSON.stringify((await sdk.metrics()).map(({ dataPoints }) => dataPoints))
      for (const leak of ['/ok', '/hang', 'qu3ry', 's3cr3t', 't0ps3cr3t']) expect(written).not.toContain(leak)
    })

    it('a retried request: two CLIENT spans under the incoming traceparent, the failed one ERROR with error.type; each attempt sends its own span as traceparent; gateway.retries', async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const res = await send(`${app.url}/flaky?fail=reset&q=1`, {
        headers: { traceparent: CALLER.traceparent, tracestate: 'caller=1' },
      })
      expect(res.status).toBe(200)

      const spans = sdk.spans()
      expect(spans.map(({ name, kind }) => [name, kind])).toEqual([
        ['GET', SpanKind.CLIENT],
        ['GET', SpanKind.CLIENT],
      ])
      const [failed, retried] = spans as [(typeof spans)[0], (typeof spans)[0]]
      for (const span of spans) {
        expect(span.spanContext().traceId).toBe(CALLER.traceId)
        expect(span.parentSpanContext?.spanId).toBe(CALLER.spanId)
        expect(span.instrumentationScope.name).toBe('@gateway-middleware/core')
      }
      expect(failed.status.code).toBe(SpanStatusCode.ERROR)
      expect(failed.attributes).toMatchObject({
        'http.request.method': 'GET',
        'server.address': '127.0.0.1',
        'server.port': up.port,
        'url.full': `${up.url}/flaky`,
        'error.type': 'connection_terminated',
      })
      expect(failed.attributes['http.response.status_code']).toBeUndefined()
      expect(retried.status.code).toBe(SpanStatusCode.UNSET)
      expect(retried.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 })
      expect(retried.attributes['error.type']).toBeUndefined()

      // each attempt carried its own span's traceparent, once, and the caller's tracestate
      expect(up.requests.map(({ rawHeaders }) => traceparents(rawHeaders))).toEqual([
        [traceparentOf(failed)],
        [traceparentOf(retried)],
      ])
      expect(up.requests.map(({ headers }) => headers.tracestate)).toEqual(['caller=1', 'caller=1'])

      const retries = await sdk.points('gateway.retries')
      expect(retries.map(({ attributes, value }) => [attributes, value])).toEqual([
        [
          {
            'http.request.method': 'GET',
            'server.address': '127.0.0.1',
            'server.port': up.port,
            'error.type': 'connection_terminated',
          },
          1,
        ],
      ])
    })

    it("the app's HTTP instrumentation's span is the parent, not the incoming traceparent", async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      serverSpans(app.server)
      expect((await send(`${app.url}/ok`, { headers: { traceparent: CALLER.traceparent } })).status).toBe(200)
      await waitFor(() => sdk.spans().length === 2)
      const client = sdk.spans().find(({ kind }) => kind === SpanKind.CLIENT)
      const server = sdk.spans().find(({ kind }) => kind === SpanKind.SERVER)
      expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId)
      expect(client?.spanContext().traceId).toBe(server?.spanContext().traceId)
      expect(client?.spanContext().traceId).not.toBe(CALLER.traceId)
    })

    it('without an SDK nothing is recorded and nothing changes: the upstream gets the client’s traceparent as sent, or none', async () => {
      const unregistered = testSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      expect((await send(`${app.url}/echo`, { headers: { traceparent: CALLER.traceparent } })).status).toBe(200)
      expect((await send(`${app.url}/echo`)).status).toBe(200)
      expect(up.requests.map(({ rawHeaders }) => traceparents(rawHeaders))).toEqual([[CALLER.traceparent], []])
      expect(await unregistered.metrics()).toEqual([])
      expect(unregistered.spans()).toEqual([])
    })

    it('an SDK registered after the gateway was created records from then on', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      const sdk = registerSdk()
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      const durations = await sdk.points('http.client.request.duration')
      expect(durations.map((point) => histogram(point).count)).toEqual([1])
      expect(sdk.spans().map(({ name }) => name)).toEqual(['GET'])
      expect(traceparents(up.requests[1]?.rawHeaders ?? [])).toEqual([traceparentOf(sdk.spans()[0] as never)])
    })

    it('providers passed explicitly are used; telemetry: false records nothing and passes the traceparent through', async () => {
      const global = registerSdk()
      const own = testSdk()
      const up = await upstream()
      const explicit = await gateway(build, '', {
        target: up.url,
        telemetry: { meterProvider: own.meterProvider, tracerProvider: own.tracerProvider },
      })
      const off = await gateway(build, '', { target: up.url, telemetry: false })
      expect((await send(`${explicit.url}/ok`)).status).toBe(200)
      expect(own.spans()).toHaveLength(1)
      expect((await own.points('http.client.request.duration')).map((p) => histogram(p).count)).toEqual([1])
      expect((await send(`${off.url}/echo`, { headers: { traceparent: CALLER.traceparent } })).status).toBe(200)
      expect(traceparents(up.requests[1]?.rawHeaders ?? [])).toEqual([CALLER.traceparent])
      expect(global.spans()).toEqual([])
      expect(await global.metrics()).toEqual([])
      expect(own.spans()).toHaveLength(1)
    })

    it('a client that leaves while its attempt waits: the in-flight count is 0 again, no duration is recorded (it says nothing of the upstream), its span ends with gateway.aborted, not as an error', async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const req = httpRequest(`${app.url}/hang`, { agent: false })
      req.on('error', () => {})
      req.end()
      await waitFor(() => up.hits('/hang') === 1)
      expect(total(await sdk.points('http.client.active_requests'))).toBe(1)
      req.destroy()
      await waitFor(() => sdk.spans().length === 1)
      expect(total(await sdk.points('http.client.active_requests'))).toBe(0)
      expect(await sdk.points('http.client.request.duration')).toEqual([])
      const [span] = sdk.spans()
      expect(span?.attributes['gateway.aborted']).toBe(true)
      expect(span?.attributes['error.type']).toBeUndefined()
      expect(span?.status.code).toBe(SpanStatusCode.UNSET)
    })

    it('an ejected target: gateway.ejections and gateway.targets.ejected 1 while it rests', async () => {
      const sdk = registerSdk()
      const target = await refusedUrl()
      const app = await gateway(build, '', { target, retry: false, circuit: { failures: 1 } })
      const port = Number(new URL(target).port)
      const where = { 'server.address': '127.0.0.1', 'server.port': port }
      expect((await sdk.points('gateway.targets.ejected')).map(({ attributes, value }) => [attributes, value])).toEqual(
        [[where, 0]],
      )
      expect((await send(`${app.url}/x`)).status).toBe(502)
      expect((await sdk.points('gateway.ejections')).map(({ attributes, value }) => [attributes, value])).toEqual([
        [where, 1],
      ])
      expect((await sdk.points('gateway.targets.ejected')).map(({ value }) => value)).toEqual([1])
    })

    it("a target function's origins: an ejected one in gateway.targets.ejected until the LRU forgets it (the series bounded by limits.origins)", async () => {
      const sdk = registerSdk()
      const down = await refusedUrl()
      const up = await upstream()
      const app = await gateway(build, '', {
        target: (request) => (request.url.startsWith('/down') ? down : up.url),
        limits: { origins: 1 },
        retry: false,
        circuit: { failures: 1 },
      })
      // no origin before the first request
      expect(await sdk.points('gateway.targets.ejected')).toEqual([])
      expect((await send(`${app.url}/down`)).status).toBe(502)
      const downWhere = { 'server.address': '127.0.0.1', 'server.port': Number(new URL(down).port) }
      expect((await sdk.points('gateway.targets.ejected')).map(({ attributes, value }) => [attributes, value])).toEqual(
        [[downWhere, 1]],
      )
      // another origin takes the one place: the ejected one is forgotten, its series told 0 once, then no longer observed
      expect((await send(`${app.url}/ok`)).status).toBe(200)
      const upWhere = { 'server.address': '127.0.0.1', 'server.port': up.port }
      expect((await sdk.points('gateway.targets.ejected')).map(({ attributes, value }) => [attributes, value])).toEqual(
        [
          [downWhere, 0],
          [upWhere, 0],
        ],
      )
      // (a cumulative reader keeps the last value of a series no longer observed: 0, not out for ever)
      expect(total(await sdk.points('gateway.targets.ejected'))).toBe(0)
    })

    it('a half-open target (its rest over, a trial next) is not counted in gateway.targets.ejected, as health() tells it apart', async () => {
      const sdk = registerSdk()
      const target = await refusedUrl()
      const app = await gateway(build, '', { target, retry: false, circuit: { failures: 1, halfOpenAfter: 500 } })
      const state = () => (app.health().targets[0] as { state?: string } | undefined)?.state
      // each read right after its 502, well within the rest (500 ms, then 1000 ms after the failed trial)
      expect((await send(`${app.url}/x`)).status).toBe(502)
      expect(state()).toBe('ejected')
      expect((await sdk.points('gateway.targets.ejected')).map(({ value }) => value)).toEqual([1])
      await waitFor(() => state() === 'half-open')
      expect((await sdk.points('gateway.targets.ejected')).map(({ value }) => value)).toEqual([0])
      // its trial fails: out again for twice the rest
      expect((await send(`${app.url}/x`)).status).toBe(502)
      expect(state()).toBe('ejected')
      expect((await sdk.points('gateway.targets.ejected')).map(({ value }) => value)).toEqual([1])
      expect((await sdk.points('gateway.ejections')).map(({ value }) => value)).toEqual([2])
    })

    it('shedding: gateway.target.concurrency_limit and gateway.target.queue_length per target, gateway.sheds by gateway.shed.reason', async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        concurrency: 1,
        limits: { queue: 1 },
        timeout: { queue: 300 },
        retry: false,
      })
      const where = { 'server.address': '127.0.0.1', 'server.port': up.port }
      const values = async (name: string) =>
        (await sdk.points(name)).map(({ attributes, value }) => [attributes, value])
      expect(await values('gateway.target.concurrency_limit')).toEqual([[where, 1]])
      expect(await values('gateway.target.queue_length')).toEqual([[where, 0]])
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => up.hits('/hang') === 1)
      // one waits in line (then its timeout.queue runs out), the next finds the line full
      const waiting = send(`${app.url}/ok`)
      const until = performance.now() + 5000
      while ((await sdk.points('gateway.target.queue_length'))[0]?.value !== 1 && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(await values('gateway.target.queue_length')).toEqual([[where, 1]])
      expect((await send(`${app.url}/ok`)).status).toBe(503)
      expect((await waiting).status).toBe(503)
      expect(await values('gateway.target.queue_length')).toEqual([[where, 0]])
      const sheds = await sdk.points('gateway.sheds')
      expect(sheds.map(({ attributes, value }) => [attributes, value])).toEqual(
        expect.arrayContaining([
          [{ ...where, 'gateway.shed.reason': 'queue_full' }, 1],
          [{ ...where, 'gateway.shed.reason': 'queue_timeout' }, 1],
        ]),
      )
      expect(sheds).toHaveLength(2)
      await app.close()
      await hanging
    })

    it('a connection cut after the response headers: gateway.cuts by error.type', async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      await send(`${app.url}/reset-mid-body?length=200000&bytes=70000`).catch(() => undefined)
      const cuts = await pointsSoon(() => sdk.points('gateway.cuts'))
      expect(cuts.map(({ attributes, value }) => [attributes, value])).toEqual([
        [{ 'server.address': '127.0.0.1', 'server.port': up.port, 'error.type': 'http_response_incomplete' }, 1],
      ])
    })

    it("beside @opentelemetry/instrumentation-undici: with the README's ignoreRequestHook one CLIENT span and one traceparent per attempt; without it two of each", async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const instrument = async (instrumentation: UndiciInstrumentation) => {
        instrumentation.setTracerProvider(sdk.tracerProvider)
        try {
          expect((await send(`${app.url}/echo?token=qu3ry`)).status).toBe(200)
        } finally {
          instrumentation.disable()
        }
        return sdk.spans().splice(0)
      }
      const withHook = await instrument(undiciInstrumentation())
      expect(withHook.map(({ instrumentationScope }) => instrumentationScope.name)).toEqual([
        '@gateway-middleware/core',
      ])
      expect(traceparents(up.requests[0]?.rawHeaders ?? [])).toEqual([traceparentOf(withHook[0] as never)])

      // without it: a second span (with url.full and the query) and a second traceparent, which makes the upstream's trace invalid
      const without = await instrument(new UndiciInstrumentation())
      expect(without.map(({ instrumentationScope }) => instrumentationScope.name).sort()).toEqual([
        '@gateway-middleware/core',
        '@opentelemetry/instrumentation-undici',
      ])
      expect(without.find(({ attributes }) => attributes['url.full'] === `${up.url}/echo?token=qu3ry`)).toBeDefined()
      expect(traceparents(up.requests[1]?.rawHeaders ?? [])).toHaveLength(2)
    })

    it("guard mode: a call the route's deadline aborted is an http_response_timeout (duration, span) and the 504 a gateway answer", async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const app = await guardedApp(buildGuard, { timeout: { total: 300 } }, [
        { path: '/slow', handler: async (client) => (await client.request(`${up.url}/hang`)).body.text() },
      ])
      expect((await send(`${app.url}/slow`)).status).toBe(504)
      await waitFor(() => sdk.spans().length === 1)
      const [span] = sdk.spans()
      expect(span?.status.code).toBe(SpanStatusCode.ERROR)
      expect(span?.attributes['error.type']).toBe('http_response_timeout')
      const durations = await sdk.points('http.client.request.duration')
      expect(durations.map(({ attributes }) => attributes['error.type'])).toEqual(['http_response_timeout'])
      expect((await sdk.points('gateway.answers')).map(({ attributes, value }) => [attributes, value])).toEqual([
        [{ 'http.response.status_code': 504, 'error.type': 'http_response_timeout' }, 1],
      ])
      expect(total(await sdk.points('http.client.active_requests'))).toBe(0)
    })

    it("guard mode: request() and fetch() are CLIENT spans under the incoming traceparent, the route's own span their parent when it has one", async () => {
      const sdk = registerSdk()
      const up = await upstream()
      const tracer = trace.getTracer('the-route')
      const app = await guardedApp(buildGuard, {}, [
        {
          path: '/calls',
          handler: async (client) => {
            await (await client.request(`${up.url}/echo?a=1`)).body.text()
            await (await client.fetch(`${up.url}/echo`)).text()
            return tracer.startActiveSpan('work', async (span) => {
              await (await client.request(`${up.url}/echo`)).body.text()
              span.end()
              return 'done'
            })
          },
        },
      ])
      expect((await send(`${app.url}/calls`, { headers: { traceparent: CALLER.traceparent } })).status).toBe(200)
      const clients = sdk.spans().filter(({ kind }) => kind === SpanKind.CLIENT)
      const work = sdk.spans().find(({ name }) => name === 'work')
      expect(clients).toHaveLength(3)
      expect(clients.map(({ parentSpanContext }) => parentSpanContext?.spanId)).toEqual([
        CALLER.spanId,
        CALLER.spanId,
        work?.spanContext().spanId,
      ])
      // without the app's HTTP instrumentation the route's own span starts a trace of its own
      expect(clients.map((span) => span.spanContext().traceId)).toEqual([
        CALLER.traceId,
        CALLER.traceId,
        work?.spanContext().traceId,
      ])
      expect(clients[0]?.attributes['url.full']).toBe(`${up.url}/echo`)
      expect(up.requests.map(({ rawHeaders }) => traceparents(rawHeaders))).toEqual(
        clients.map((span) => [traceparentOf(span)]),
      )
    })
  })
}
