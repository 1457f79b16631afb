import { createServer } from 'node:http'
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import { asyncRoute, type ExpressVersion } from '../frameworks/expressVersions.js'
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
 * The contract suites for one Express major: the one list of registrations that every Express
 * version's test file runs (add a contract here, not in a version's file).
 */
export function expressContracts(version: ExpressVersion): void {
  const { build, buildGuard } = expressBuilders(version)
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

/** How the suites build an Express app of this version: the proxy mounted, or guarded routes. */
export function expressBuilders(version: ExpressVersion): { build: BuildApp; buildGuard: BuildGuardApp } {
  const { express } = version

  const build: BuildApp = async (mountPath, options, setup) => {
    const app = express()
    if (setup?.bodyParser) app.use(express.json())
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
