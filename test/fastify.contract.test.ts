import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify from 'fastify'
import { describe } from 'vitest'
import { type BuildApp, listen } from './contract/harness.js'
import { proxyContract } from './contract/proxyContract.js'

const buildFastify: BuildApp = async (mountPath, options) => {
  const app = Fastify()
  if (mountPath === '') await app.register(gatewayPlugin, options)
  else await app.register(gatewayPlugin, { ...options, prefix: mountPath })
  await app.ready()
  return listen(app.server, () => app.close())
}

describe('fastify', () => proxyContract(buildFastify))
