import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express, { type NextFunction, type Request, type Response } from 'express'
import { describe } from 'vitest'
import { attemptLoopContract } from './contract/attemptLoopContract.js'
import { bodyParserContract } from './contract/bodyParserContract.js'
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
import { graceArgumentContract } from './contract/shutdownContract.js'
import { guardOriginsContract, targetFunctionContract } from './contract/targetFunctionContract.js'
import { telemetryContract } from './contract/telemetryContract.js'
import { websocketContract } from './contract/websocketContract.js'

const buildExpress: BuildApp = async (mountPath, options, setup) => {
  const app = express()
  const parser = setup?.bodyParser
  if (parser === true) app.use(express.json())
  else if (parser !== undefined && parser !== false) {
    const verify = parser.keepRaw
      ? (req: IncomingMessage, _res: ServerResponse, buf: Buffer) => {
          ;(req as unknown as { rawBody?: Buffer }).rawBody = buf
        }
      : undefined
    app.use(express.json({ verify }))
    app.use(express.urlencoded({ extended: true, verify }))
    if (parser.textTypes !== undefined) app.use(express.text({ type: parser.textTypes, verify }))
    if (parser.carryOn) app.use((_error: unknown, _req: Request, _res: Response, next: NextFunction) => next())
  }
  const required = setup?.requireAuthorization
  if (required !== undefined) {
    app.use((req, res, next) => {
      if (req.headers.authorization === required) next()
      else res.status(401).send('who are you?')
    })
  }
  const middleware = gatewayMiddleware(options)
  if (mountPath === '') app.use(middleware)
  else app.use(mountPath, middleware)
  const server = createServer(app)
  if (!setup?.withoutUpgradeHook) server.on('upgrade', middleware.upgrade)
  return listen(
    server,
    (graceMs) => middleware.close(graceMs),
    (options) => middleware.health(options),
  )
}

const buildExpressGuard: BuildGuardApp = async (options, routes, proxy) => {
  const app = express()
  const proxied = proxy === undefined ? undefined : gatewayMiddleware(proxy.options)
  if (proxy !== undefined && proxied !== undefined) app.use(proxy.mountPath, proxied)
  const guard = gatewayMiddleware(options)
  app.use(guard)
  for (const route of routes) {
    app.get(route.path, async (req, res) => {
      const header = (name: string, value: string) => res.setHeader(name, value)
      const { value, sent } = await runRoute(route, req.gateway, header, (body) => res.send(body))
      if (!sent) res.json(value)
    })
  }
  app.use(gatewayErrorHandler())
  return listen(createServer(app), async (graceMs) => {
    await guard.close(graceMs)
    await proxied?.close(graceMs)
  })
}

describe('express', () => {
  proxyContract(buildExpress)
  cookieContract(buildExpress)
  logContract(buildExpress)
  healthContract(buildExpress)
  outlierContract(buildExpress)
  hedgeContract(buildExpress)
  serverTimingContract(buildExpress)
  rewriteBodyContract(buildExpress)
  telemetryContract(buildExpress, buildExpressGuard)
  websocketContract(buildExpress, { upgradeHook: true })
  bodyParserContract(buildExpress)
  graceArgumentContract(buildExpress)
  guardContract(buildExpressGuard)
  outboundProxyContract(buildExpressGuard)
  targetFunctionContract(buildExpress)
  guardOriginsContract(buildExpressGuard)
  attemptLoopContract(buildExpress, buildExpressGuard)
  http2Contract(buildExpress, buildExpressGuard)
})
