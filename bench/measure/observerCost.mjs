// node bench/measure/observerCost.mjs [none|floor|metrics|traces|ours] [attempts]
// CPU µs per upstream attempt of the gateway's telemetry observers, in one process, with no HTTP:
// the event seam's attemptStart and attempt events told to the metrics and trace observers (or,
// `floor`, what any instrumentation must do per call: one CLIENT span with the conventions'
// attributes, its traceparent injected, one histogram record), the SDK registered as for the bench's
// -otel rows. Steadier than the load cases on a shared machine, and it isolates the observers and
// the SDK from HTTP, the framework and the context manager's promise hooks (which the get-small rows'
// differences include). Run `npm run build` first: it reads packages/core/dist, or the build
// BENCH_CORE_DIST names (another commit's packages/core/dist, to compare two builds in turn).
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import * as api from '@opentelemetry/api'
import { registerTelemetry } from '../processes/registerTelemetry.mjs'
import { median } from './median.mjs'

const dist = pathToFileURL(
  `${resolve(process.env.BENCH_CORE_DIST || new URL('../../packages/core/dist', import.meta.url).pathname)}/`,
)
const core = async (path) => import(new URL(path, dist).href)
const { GatewayEvents } = await core('events/GatewayEvents.js')
const { metricsObserver } = await core('observe/metricsObserver.js')
const { traceObserver } = await core('observe/traceObserver.js')
const { AttemptRecord } = await core('upstream/AttemptRecord.js')

/** Attempts per round, rounds measured (the median is printed), attempts of warm-up first. */
const DEFAULT_ATTEMPTS = 100_000
const ROUNDS = 5
const WARMUP = 50_000
/** Attempts between two turns of the event loop, so that the SDK's export timers run as in a server. */
const ATTEMPTS_PER_TURN = 200

const { positionals } = parseArgs({ allowPositionals: true })
const mode = positionals[0] ?? 'ours'
const attempts = Number(positionals[1] ?? DEFAULT_ATTEMPTS)
if (!['none', 'floor', 'metrics', 'traces', 'ours'].includes(mode) || !(attempts > 0)) {
  throw new TypeError(
    `observerCost: expected [none|floor|metrics|traces|ours] [attempts], got ${positionals.join(' ')}`,
  )
}

registerTelemetry()
const target = 'http://127.0.0.1:4000'
const destination = { target: { origin: target } }
const clientHeaders = [
  'Host',
  '127.0.0.1:3000',
  'User-Agent',
  'autocannon',
  'Accept',
  '*/*',
  'Connection',
  'keep-alive',
]
const events = new GatewayEvents()
if (mode === 'ours' || mode === 'metrics') events.subscribe(metricsObserver(api, undefined, []).observer)
if (mode === 'ours' || mode === 'traces') events.subscribe(traceObserver(api, undefined))
const tracer = api.trace.getTracer('floor')
const duration = api.metrics.getMeter('floor').createHistogram('http.client.request.duration', { unit: 's' })
const server = { 'server.address': '127.0.0.1', 'server.port': 4000 }

/** One attempt, its two events built as the attempt loop (upstream/attemptAt.ts) builds them (or as the floor instruments it). */
function attempt() {
  const record = new AttemptRecord(destination, 1, () => {})
  if (mode === 'floor') {
    const span = tracer.startSpan('GET', {
      kind: api.SpanKind.CLIENT,
      attributes: { 'http.request.method': 'GET', ...server, 'url.full': `${target}/small` },
    })
    api.propagation.inject(api.trace.setSpan(api.context.active(), span), {})
    record.firstByte = performance.now()
    span.setAttribute('http.response.status_code', 200)
    span.end()
    duration.record((record.firstByte - record.started) / 1000, {
      'http.request.method': 'GET',
      ...server,
      'http.response.status_code': 200,
    })
    return
  }
  if (events.wants.attemptStart) {
    events.attemptStart({
      method: 'GET',
      path: '/small',
      target,
      requestId: 'req-1',
      attempt: 1,
      phases: record,
      clientHeaders,
      setHeader: (name, value) => record.setHeader(name, value),
    })
  }
  record.firstByte = performance.now()
  if (events.wants.attempt) {
    events.attempt({
      method: 'GET',
      path: '/small',
      target,
      requestId: 'req-1',
      attempt: 1,
      status: 200,
      error: undefined,
      aborted: false,
      phases: record,
    })
  }
}

async function run(count) {
  for (let i = 1; i <= count; i++) {
    attempt()
    if (i % ATTEMPTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve))
  }
}

await run(WARMUP)
const perAttempt = []
for (let round = 0; round < ROUNDS; round++) {
  const before = process.cpuUsage()
  await run(attempts)
  const { user, system } = process.cpuUsage(before)
  perAttempt.push((user + system) / attempts)
}
const [low, high] = [Math.min(...perAttempt), Math.max(...perAttempt)]
console.log(
  `${mode}: ${median(perAttempt).toFixed(2)} µs CPU per attempt (median of ${ROUNDS} rounds of ${attempts}; ${low.toFixed(2)}–${high.toFixed(2)})`,
)
process.exit(0)
