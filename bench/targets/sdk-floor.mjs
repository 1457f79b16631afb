// The OpenTelemetry SDK's own floor (issue 14): a bare node:http server forwarding GET /api/small
// with undici.request through a pool like ours (128 connections, 4 s keep-alive) — no framework, no
// gateway. With --telemetry the SDK is registered as for the -otel rows of ours, and each response
// costs what any instrumentation of an upstream call must at least do: one CLIENT span with the
// conventions' attributes, its traceparent injected into the upstream request, one histogram record.
// The two rows' difference is the SDK's cost per response by itself, which ours' -otel difference
// is measured against.
import { createServer } from 'node:http'
import { Pool } from 'undici'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, telemetry } = targetConfig()
const pool = new Pool(upstream, { connections: 128, keepAliveTimeout: 4_000 })
const { hostname, port } = new URL(upstream)

/** Forward one request, `headers` going upstream; resolves with the upstream's status once its body is piped. */
async function forward(res, headers) {
  const { statusCode, headers: upstreamHeaders, body } = await pool.request({ method: 'GET', path: '/small', headers })
  res.writeHead(statusCode, { 'content-type': String(upstreamHeaders['content-type']) })
  body.pipe(res)
  return statusCode
}

let handle = (_req, res) => {
  forward(res, {}).catch(() => res.destroy())
}

if (telemetry) {
  const { registerTelemetry } = await import('../processes/registerTelemetry.mjs')
  registerTelemetry()
  const { context, metrics, propagation, SpanKind, trace } = await import('@opentelemetry/api')
  const tracer = trace.getTracer('sdk-floor')
  const duration = metrics.getMeter('sdk-floor').createHistogram('http.client.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  })
  const serverPort = Number(port)
  const url = `${upstream}/small`
  handle = (_req, res) => {
    const started = performance.now()
    const span = tracer.startSpan('GET', {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'server.address': hostname,
        'server.port': serverPort,
        'url.full': url,
      },
    })
    const headers = {}
    propagation.inject(trace.setSpan(context.active(), span), headers)
    forward(res, headers).then(
      (status) => {
        span.setAttribute('http.response.status_code', status)
        span.end()
        duration.record((performance.now() - started) / 1000, {
          'http.request.method': 'GET',
          'server.address': hostname,
          'server.port': serverPort,
          'http.response.status_code': status,
        })
      },
      () => {
        span.end()
        res.destroy()
      },
    )
  }
}

serveChild(createServer((req, res) => handle(req, res)).listen(0, '127.0.0.1'))
