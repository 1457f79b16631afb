// @fastify/http-proxy 11 on Fastify, as its README registers it: `{ upstream, prefix }` (HTTP through
// @fastify/reply-from). With --ws, `websocket: true`: it ends the client's WebSocket in a `ws`
// server of its own and opens another to the upstream with a `ws` client, relaying each message
// (a relay of messages, not of bytes).
import proxy from '@fastify/http-proxy'
import Fastify from 'fastify'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, webSocket } = targetConfig()
const app = Fastify()
await app.register(proxy, { upstream, prefix: '/api', ...(webSocket ? { websocket: true } : {}) })
await app.listen({ port: 0, host: '127.0.0.1' })
serveChild(app.server)
