import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { describe } from 'vitest'
import { type BuildApp, listen } from './contract/harness.js'
import { proxyContract } from './contract/proxyContract.js'

const buildExpress: BuildApp = async (mountPath, options) => {
  const app = express()
  const middleware = gatewayMiddleware(options)
  if (mountPath === '') app.use(middleware)
  else app.use(mountPath, middleware)
  return listen(createServer(app), () => middleware.close())
}

describe('express', () => proxyContract(buildExpress))
