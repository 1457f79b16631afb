import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify from 'fastify'
import { describe } from 'vitest'
import { attemptLoopContract } from './contract/attemptLoopContract.js'
import { cookieContract } from './contract/cookieContract.js'
import { guardContract } from './contract/guardContract.js'
import { type BuildApp, type BuildGuardApp, listen, runRoute } from './contract/harness.js'
import { healthContract } from './contract/healthContract.js'
import { hedgeContract } from './contract/hedgeContract.js'
import { http2Contract } from './contract/http2Contract.js'
import { logContract } from './contract/logContract.js'
import { outboundProxyContract } from './contract/outboundProxyContract.js'
import { outlierContract } from './contract/outlierContract.js'
import { proxyContract } from './contract/proxyContract.js'
import { rewriteBodyContract } from './contract/rewriteBodyContract.js'
import { serverTimingContract } from './contract/serverTimingContract.js'
import { guardOriginsContract, targetFunctionContract } from './contract/targetFunctionContract.js'
import { telemetryContract } from './contract/telemetryContract.js'
import { websocketContract } from './contract/websocketContract.js'

const buildFastify: BuildApp = async (mountPath, options, setup) => {
  // the plugin's routes have a pass-through parser of their own: no app parser ever runs before them
  if (setup?.bodyParser) throw new TypeError('fastify: no body parser can be mounted before the gateway')
  if (setup?.withoutUpgradeHook) throw new TypeError('fastify: the plugin routes upgrades itself, there is no hook')
  const app = Fastify()
  const required = setup?.requireAuthorization
  if (required !== undefined) {
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== required) return reply.code(401).send('who are you?')
    })
  }
  if (mountPath === '') await app.register(gatewayPlugin, options)
  else await app.register(gatewayPlugin, { ...options, prefix: mountPath })
  await app.ready()
  return listen(
    app.server,
    () => app.close(),
    (options) => app.gatewayHealth(options),
  )
}

const buildFastifyGuard: BuildGuardApp = async (options, routes, proxy) => {
  const app = Fastify()
  if (proxy !== undefined) await app.register(gatewayPlugin, { ...proxy.options, prefix: proxy.mountPath })
  await app.register(gatewayPlugin, options)
  for (const route of routes) {
    app.get(route.path, async (request, reply) => {
      const header = (name: string, value: string) => reply.header(name, value)
      const { value, sent } = await runRoute(route, request.gateway, header, (body) => reply.send(body))
      return sent ? reply : value
    })
  }
  await app.ready()
  return listen(app.server, () => app.close())
}

describe('fastify', () => {
  proxyContract(buildFastify)
  cookieContract(buildFastify)
  logContract(buildFastify)
  healthContract(buildFastify)
  outlierContract(buildFastify)
  hedgeContract(buildFastify)
  serverTimingContract(buildFastify)
  rewriteBodyContract(buildFastify)
  telemetryContract(buildFastify, buildFastifyGuard)
  websocketContract(buildFastify, { upgradeHook: false })
  guardContract(buildFastifyGuard)
  outboundProxyContract(buildFastifyGuard)
  targetFunctionContract(buildFastify)
  guardOriginsContract(buildFastifyGuard)
  attemptLoopContract(buildFastify, buildFastifyGuard)
  http2Contract(buildFastify, buildFastifyGuard)
})
