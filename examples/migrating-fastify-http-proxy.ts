import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify from 'fastify'

// was: app.register(fastifyHttpProxy, { upstream: 'https://users.internal', prefix: '/users', rewritePrefix: '/v2',
//   http2: true, websocket: true, replyOptions: { rewriteRequestHeaders: (req, headers) => ({ ...headers, 'x-from': 'edge' }) } })
const app = Fastify({ logger: true })
await app.register(gatewayPlugin, {
  prefix: '/users',
  target: 'https://users.internal/v2', // upstream + rewritePrefix: a path prefix on the target
  http2: true, // HTTP/2 when the upstream offers it (ALPN); WebSocket upgrades still go over HTTP/1.1
  rewriteRequestHeaders: (headers) => ({ ...headers, 'x-from': 'edge' }), // replyOptions.rewriteRequestHeaders
  retry: { statusCodes: [503] }, // maxRetriesOn503 (retry.limit is 2 by default)
})
await app.listen({ port: 3000, host: '127.0.0.1' })
