// node bench/measure/promisesPerRequest.mjs [bare|express|koa|fastify]
// Promises made per proxied GET, in one process (the upstream, the proxy and a keep-alive client):
// each pays AsyncLocalStorage's promise hooks once the OpenTelemetry SDK's context manager is on,
// which is most of what the gateway adds to an -otel row above the SDK's floor. `bare` is the
// sdk-floor target's server (node:http and undici.request); the client's own promises are counted
// apart and subtracted. Run `npm run build` first.
import { createHook } from 'node:async_hooks'
import { Agent, createServer, request } from 'node:http'
import { parseArgs } from 'node:util'

const REQUESTS = 2000
const WARMUP = 200

const { positionals } = parseArgs({ allowPositionals: true })
const which = positionals[0] ?? 'fastify'
if (!['bare', 'express', 'koa', 'fastify'].includes(which)) {
  throw new TypeError(`promisesPerRequest: expected bare, express, koa or fastify, got ${which}`)
}

const listening = (server) => new Promise((resolve) => server.once('listening', () => resolve(server)))
const up = await listening(
  createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  }).listen(0, '127.0.0.1'),
)
const upstream = `http://127.0.0.1:${up.address().port}`
let server
if (which === 'fastify') {
  const { default: Fastify } = await import('fastify')
  const { gatewayPlugin } = await import('@gateway-middleware/fastify')
  const app = Fastify()
  await app.register(gatewayPlugin, { prefix: '/api', target: upstream })
  await app.listen({ port: 0, host: '127.0.0.1' })
  server = app.server
} else if (which === 'koa') {
  const { default: Koa } = await import('koa')
  const { default: mount } = await import('koa-mount')
  const { gatewayMiddleware } = await import('@gateway-middleware/koa')
  const app = new Koa()
  app.use(mount('/api', gatewayMiddleware({ target: upstream })))
  server = await listening(app.listen(0, '127.0.0.1'))
} else if (which === 'express') {
  const { default: express } = await import('express')
  const { gatewayMiddleware } = await import('@gateway-middleware/express')
  const app = express()
  app.use('/api', gatewayMiddleware({ target: upstream }))
  server = await listening(app.listen(0, '127.0.0.1'))
} else {
  const { Pool } = await import('undici')
  const pool = new Pool(upstream, { connections: 128 })
  server = await listening(
    createServer(async (_req, res) => {
      const { statusCode, headers, body } = await pool.request({ method: 'GET', path: '/small', headers: {} })
      res.writeHead(statusCode, { 'content-type': String(headers['content-type']) })
      body.pipe(res)
    }).listen(0, '127.0.0.1'),
  )
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 })
const { port } = server.address()
const get = () =>
  new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/api/small', agent }, (res) => {
      res.resume()
      res.on('end', resolve)
    }).end()
  })

let promises = 0
const hook = createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++
  },
})
/** Promises made per turn of `step`, over REQUESTS turns. */
async function counted(step) {
  promises = 0
  hook.enable()
  for (let i = 0; i < REQUESTS; i++) await step()
  hook.disable()
  return promises / REQUESTS
}
for (let i = 0; i < WARMUP; i++) await get()
const withRequests = await counted(get)
// the client loop's own promises: the same loop around a promise that is not a request
const loop = await counted(() => new Promise((resolve) => setImmediate(resolve)))
console.log(`${which}: ${(withRequests - loop).toFixed(1)} promises per proxied request`)
process.exit(0)
