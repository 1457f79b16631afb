// npm run demo: an Express app with the gateway in front of a small upstream that fails on purpose.
// Everything listens on 127.0.0.1; Ctrl-C stops it.
import { createServer } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import { metrics, propagation, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base'
import express from 'express'

// OpenTelemetry, as an app registers it before it makes its gateways (the gateway finds the global
// providers by itself): metrics read by the Prometheus exporter, served below as GET /metrics; spans
// made (and not exported here), so that each upstream request carries its own traceparent
const prometheus = new PrometheusExporter({ preventServerStart: true })
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [prometheus] }))
trace.setGlobalTracerProvider(new BasicTracerProvider())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())

let flakyHits = 0
const upstream = createServer((req, res) => {
  const path = new URL(req.url, 'http://upstream').pathname
  switch (path) {
    case '/hello':
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(
        JSON.stringify({
          hello: 'from the upstream',
          path: req.url,
          via: req.headers.via,
          // the gateway's span for this attempt: a new span id, your trace id if you sent a traceparent
          traceparent: req.headers.traceparent,
        }),
      )
    case '/flaky':
      // every other request is reset before headers: the gateway retries it (GET is idempotent)
      if (++flakyHits % 2 === 1) return req.socket.resetAndDestroy()
      res.writeHead(200, { 'content-type': 'text/plain' })
      return res.end(`ok on attempt 2 (the first was reset)\n`)
    case '/hang':
      return // never answers: the gateway answers 504 at timeout.headers
    case '/reset':
      return req.socket.resetAndDestroy() // connection reset before headers: 502
    case '/garbage':
      return req.socket.end('this is not HTTP\r\n\r\n') // invalid response: 502
    case '/busy':
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' })
      return res.end('the upstream itself says 503: passed through unchanged\n')
    case '/cut':
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      res.write('the first bytes of a body that never finishes...\n')
      return setTimeout(() => req.socket.destroy(), 200) // after headers: the client connection is cut
    default:
      res.writeHead(404, { 'content-type': 'text/plain' })
      return res.end('not found\n')
  }
})
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve))
const upstreamUrl = `http://127.0.0.1:${upstream.address().port}`

// a port nobody listens on: connection refused
const refused = createServer()
await new Promise((resolve) => refused.listen(0, '127.0.0.1', resolve))
const refusedUrl = `http://127.0.0.1:${refused.address().port}`
await new Promise((resolve) => refused.close(resolve))

const onRetry = ({ reason, attempt, delay, path }) =>
  console.log(`  [gateway] ${path}: attempt ${attempt} failed (${reason}), retrying in ${Math.round(delay)} ms`)
const api = gatewayMiddleware({ target: upstreamUrl, timeout: { headers: 1500 }, onRetry })
const down = gatewayMiddleware({ target: refusedUrl, onRetry })
// guard mode: no target; routes call upstreams themselves through req.gateway
const guard = gatewayMiddleware({ timeout: { total: 1500 } })
const app = express()
// the gateway's metrics (and any other of the app's) in Prometheus' text format
app.get('/metrics', (req, res) => prometheus.getMetricsRequestHandler(req, res))
app.use('/api', api)
app.use('/down', down)
app.use('/guarded', guard)
app.get('/guarded/profile', async (req, res) => {
  const hello = await req.gateway.request(`${upstreamUrl}/hello`)
  res.json({ route: 'guarded', upstream: await hello.body.json() })
})
app.get('/guarded/down', async (req, res) => {
  const answer = await req.gateway.fetch(`${refusedUrl}/profile`)
  res.json(await answer.json())
})
app.get('/guarded/slow', async (req, res) => {
  const answer = await req.gateway.request(`${upstreamUrl}/hang`)
  res.send(await answer.body.text())
})
// turns the upstream failures the guarded routes raise into the gateway's pages (app bugs stay 500)
app.use(gatewayErrorHandler())

const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`
  console.log(`gateway-middleware demo on ${base}\n`)
  for (const [path, what] of [
    ['/api/hello', '200: proxied to the upstream'],
    [
      '/down/anything',
      '502 connection_refused: nothing listens on the target (retried twice; after 5 refusals the target rests: 503)',
    ],
    ['/api/hang', '504 http_response_timeout: the upstream never answers (1.5 s)'],
    ['/api/reset', '502 connection_terminated: reset before headers'],
    ['/api/garbage', '502 http_protocol_error: not HTTP'],
    ['/api/busy', "503 from the upstream itself: passed through, it is not the gateway's error"],
    ['/api/cut', 'fails after headers: the connection is cut (curl reports the transfer as incomplete)'],
    ['/api/flaky', '200 after a retry: the first attempt is reset, the gateway retries it'],
    ['/guarded/profile', '200: an Express route calling the upstream through req.gateway (guard mode)'],
    ['/guarded/down', "502 connection_refused: the route's upstream call failed; gatewayErrorHandler() answers"],
    ['/guarded/slow', '504: the route did not answer within its deadline (1.5 s)'],
  ]) {
    console.log(`  curl -i ${base}${path}\n      ${what}`)
  }
  console.log(`  curl -i -H 'Accept: application/json' ${base}/down/anything`)
  console.log('      the same answer as RFC 9457 problem details (browsers get the HTML page: open the URLs above)')
  console.log(`  curl -i -H 'X-Request-Id: my-trace-1' ${base}/api/hang`)
  console.log('      your request id is kept, forwarded to the upstream and shown on the page')
  console.log(`  curl -s -H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' ${base}/api/hello`)
  console.log("      the upstream gets the gateway's span as traceparent: your trace id, the gateway's span id")
  console.log(`  curl -s ${base}/metrics | grep -E '^(http_client_active|http_client_request_duration_count|gateway)'`)
  console.log('      the OpenTelemetry metrics (Prometheus format): run the requests above again and watch them move')
  console.log('\nCtrl-C stops everything.')
})

server.on('error', (error) => {
  console.error(`cannot listen on port ${port}: ${error.message} (try PORT=3001 npm run demo)`)
  process.exit(1)
})

process.on('SIGINT', async () => {
  server.closeAllConnections()
  server.close()
  upstream.closeAllConnections()
  upstream.close()
  await Promise.all([api.close(), down.close(), guard.close()])
  process.exit(0)
})
