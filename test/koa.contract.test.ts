import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/koa'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa from 'koa'
import mount from 'koa-mount'
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

const buildKoa: BuildApp = async (mountPath, options, setup) => {
  const app = new Koa()
  app.silent = true // failures after headers reach app 'error'; the default listener would log each one
  const parser = setup?.bodyParser
  if (parser === true) app.use(bodyParser())
  else if (parser !== undefined && parser !== false) {
    app.use(
      bodyParser({
        enableTypes: ['json', 'form', 'text'],
        extendTypes: { text: parser.textTypes ?? ['text/plain'] },
        ...(parser.carryOn ? { onError: () => {} } : {}),
      }),
    )
    if (!parser.keepRaw) {
      app.use(async (ctx, next) => {
        delete (ctx.request as { rawBody?: string }).rawBody
        await next()
      })
    }
  }
  const required = setup?.requireAuthorization
  if (required !== undefined) {
    app.use(async (ctx, next) => {
      if (ctx.get('authorization') === required) await next()
      else {
        ctx.status = 401
        ctx.body = 'who are you?'
      }
    })
  }
  const middleware = gatewayMiddleware(options)
  if (mountPath === '') app.use(middleware)
  else app.use(mount(mountPath, middleware))
  const server = createServer(app.callback())
  if (!setup?.withoutUpgradeHook) server.on('upgrade', middleware.upgrade)
  return listen(
    server,
    (graceMs) => middleware.close(graceMs),
    (options) => middleware.health(options),
  )
}

const buildKoaGuard: BuildGuardApp = async (options, routes, proxy) => {
  const app = new Koa()
  app.silent = true
  const proxied = proxy === undefined ? undefined : gatewayMiddleware(proxy.options)
  if (proxy !== undefined && proxied !== undefined) app.use(mount(proxy.mountPath, proxied))
  const guard = gatewayMiddleware(options)
  app.use(guard)
  const router = new Router()
  for (const route of routes) {
    router.get(route.path, async (ctx) => {
      const header = (name: string, value: string) => ctx.set(name, value)
      const { value, sent } = await runRoute(route, ctx.gateway, header, (body) => {
        ctx.body = body
      })
      if (!sent) ctx.body = value
    })
  }
  app.use(router.routes())
  return listen(createServer(app.callback()), async (graceMs) => {
    await guard.close(graceMs)
    await proxied?.close(graceMs)
  })
}

describe('koa', () => {
  proxyContract(buildKoa)
  cookieContract(buildKoa)
  logContract(buildKoa)
  healthContract(buildKoa)
  outlierContract(buildKoa)
  hedgeContract(buildKoa)
  serverTimingContract(buildKoa)
  rewriteBodyContract(buildKoa)
  telemetryContract(buildKoa, buildKoaGuard)
  websocketContract(buildKoa, { upgradeHook: true })
  bodyParserContract(buildKoa)
  graceArgumentContract(buildKoa)
  guardContract(buildKoaGuard)
  outboundProxyContract(buildKoaGuard)
  targetFunctionContract(buildKoa)
  guardOriginsContract(buildKoaGuard)
  attemptLoopContract(buildKoa, buildKoaGuard)
  http2Contract(buildKoa, buildKoaGuard)
})
