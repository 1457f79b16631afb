import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/koa'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import mount from 'koa-mount'
import type { KoaVersion } from '../frameworks/koaVersions.js'
import { attemptLoopContract } from './attemptLoopContract.js'
import { bodyParserContract } from './bodyParserContract.js'
import { guardContract } from './guardContract.js'
import { type BuildApp, type BuildGuardApp, listen, runRoute } from './harness.js'
import { healthContract } from './healthContract.js'
import { hedgeContract } from './hedgeContract.js'
import { logContract } from './logContract.js'
import { outlierContract } from './outlierContract.js'
import { proxyContract } from './proxyContract.js'
import { serverTimingContract } from './serverTimingContract.js'
import { graceArgumentContract } from './shutdownContract.js'
import { telemetryContract } from './telemetryContract.js'
import { websocketContract } from './websocketContract.js'

/**
 * The contract suites for one Koa major: the one list of registrations that every Koa version's
 * test file runs (add a contract here, not in a version's file).
 */
export function koaContracts(version: KoaVersion): void {
  const { build, buildGuard } = koaBuilders(version)
  proxyContract(build)
  logContract(build)
  healthContract(build)
  outlierContract(build)
  hedgeContract(build)
  serverTimingContract(build)
  telemetryContract(build, buildGuard)
  websocketContract(build, { upgradeHook: true })
  bodyParserContract(build)
  graceArgumentContract(build)
  guardContract(buildGuard)
  attemptLoopContract(build, buildGuard)
}

/** How the suites build a Koa app of this version: the proxy mounted, or guarded routes. */
export function koaBuilders(version: KoaVersion): { build: BuildApp; buildGuard: BuildGuardApp } {
  const { Koa } = version

  const build: BuildApp = async (mountPath, options, setup) => {
    const app = new Koa()
    app.silent = true // failures after headers reach app 'error'; the default listener would log each one
    if (setup?.bodyParser) app.use(bodyParser())
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

  const buildGuard: BuildGuardApp = async (options, routes, proxy) => {
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

  return { build, buildGuard }
}
