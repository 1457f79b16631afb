import fastifyWebsocket from '@fastify/websocket'
import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { type BuildApp, listen } from './contract/harness.js'
import { websocketContract } from './contract/websocketContract.js'

/** The app's own WebSocket route, served by @fastify/websocket beside the gateway. */
function ownRoute(app: FastifyInstance): void {
  app.get('/own', { websocket: true }, (socket) => {
    socket.on('message', (data) => socket.send(`own:${String(data)}`))
  })
}

/** Fastify with @fastify/websocket registered before or after the gateway's plugin. */
function buildBeside(order: 'before' | 'after'): BuildApp {
  return async (mountPath, options, setup) => {
    if (setup?.withoutUpgradeHook) throw new TypeError('fastify: the plugin routes upgrades itself, there is no hook')
    const app = Fastify()
    const required = setup?.requireAuthorization
    if (required !== undefined) {
      app.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== required) return reply.code(401).send('who are you?')
      })
    }
    if (order === 'before') await app.register(fastifyWebsocket)
    await app.register(gatewayPlugin, mountPath === '' ? options : { ...options, prefix: mountPath })
    if (order === 'after') await app.register(fastifyWebsocket)
    await app.register(async (scoped) => ownRoute(scoped))
    await app.ready()
    return listen(app.server, () => app.close())
  }
}

for (const order of ['before', 'after'] as const) {
  describe(`fastify beside @fastify/websocket (registered ${order} the gateway)`, () => {
    websocketContract(buildBeside(order), { upgradeHook: false })

    it("the app's own @fastify/websocket route still answers beside the gateway, each socket handled once", async () => {
      const app = await buildBeside(order)('/proxy', { target: 'http://127.0.0.1:1' })
      onTestFinished(() => app.close())
      const socket = new WebSocket(`${app.url.replace('http', 'ws')}/own`)
      onTestFinished(() => socket.terminate())
      await new Promise((resolve, reject) => {
        socket.once('open', resolve)
        socket.once('error', reject)
      })
      socket.send('hi')
      const reply = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))))
      expect(reply).toBe('own:hi')
    })
  })
}
