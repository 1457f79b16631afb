import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import type { NextFunction, Request, Response } from 'express'
import { asyncRoute, type ExpressVersion } from '../frameworks/expressVersions.js'
import { type BuildApp, type BuildGuardApp, listen, runRoute } from './harness.js'
import { type FrameworkBuilders, listenWithMiddleware } from './middlewareContracts.js'

/** How the suites build an Express app of this version: the proxy mounted, or guarded routes. */
export function expressBuilders(version: ExpressVersion): FrameworkBuilders {
  const { express } = version

  const build: BuildApp = async (mountPath, options, setup) => {
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
    return listenWithMiddleware(createServer(app), middleware, setup)
  }

  const buildGuard: BuildGuardApp = async (options, routes, proxy) => {
    const app = express()
    const proxied = proxy === undefined ? undefined : gatewayMiddleware(proxy.options)
    if (proxy !== undefined && proxied !== undefined) app.use(proxy.mountPath, proxied)
    const guard = gatewayMiddleware(options)
    app.use(guard)
    for (const route of routes) {
      app.get(
        route.path,
        asyncRoute(version, async (req, res) => {
          const header = (name: string, value: string) => res.setHeader(name, value)
          const { value, sent } = await runRoute(route, req.gateway, header, (body) => res.send(body))
          if (!sent) res.json(value)
        }),
      )
    }
    app.use(gatewayErrorHandler())
    return listen(createServer(app), async (graceMs) => {
      await guard.close(graceMs)
      await proxied?.close(graceMs)
    })
  }

  return { build, buildGuard }
}
