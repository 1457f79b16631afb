import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/koa'
import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import mount from 'koa-mount'
import type { KoaVersion } from '../frameworks/koaVersions.js'
import { type BuildApp, type BuildGuardApp, listen, runRoute } from './harness.js'
import { type FrameworkBuilders, listenWithMiddleware } from './middlewareContracts.js'

/** How the suites build a Koa app of this version: the proxy mounted, or guarded routes. */
export function koaBuilders(version: KoaVersion): FrameworkBuilders {
  const { Koa } = version

  const build: BuildApp = async (mountPath, options, setup) => {
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
    return listenWithMiddleware(createServer(app.callback()), middleware, setup)
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
