import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/koa'
import Koa from 'koa'
import mount from 'koa-mount'
import { describe } from 'vitest'
import { type BuildApp, listen } from './contract/harness.js'
import { proxyContract } from './contract/proxyContract.js'

const buildKoa: BuildApp = async (mountPath, options) => {
  const app = new Koa()
  app.silent = true // failures after headers reach app 'error'; the default listener would log each one
  const middleware = gatewayMiddleware(options)
  if (mountPath === '') app.use(middleware)
  else app.use(mount(mountPath, middleware))
  return listen(createServer(app.callback()), () => middleware.close())
}

describe('koa', () => proxyContract(buildKoa))
