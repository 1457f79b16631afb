import type { Server } from 'node:http'
import type { GatewayMiddleware } from '@gateway-middleware/express'
import { attemptLoopContract } from './attemptLoopContract.js'
import { bodyParserContract } from './bodyParserContract.js'
import { cookieContract } from './cookieContract.js'
import { guardContract } from './guardContract.js'
import { type AppSetup, type BuildApp, type BuildGuardApp, type GatewayApp, listen } from './harness.js'
import { healthContract } from './healthContract.js'
import { hedgeContract } from './hedgeContract.js'
import { http2Contract } from './http2Contract.js'
import { logContract } from './logContract.js'
import { outboundProxyContract } from './outboundProxyContract.js'
import { outlierContract } from './outlierContract.js'
import { proxyContract } from './proxyContract.js'
import { rewriteBodyContract } from './rewriteBodyContract.js'
import { serverTimingContract } from './serverTimingContract.js'
import { graceArgumentContract } from './shutdownContract.js'
import { guardOriginsContract, targetFunctionContract } from './targetFunctionContract.js'
import { telemetryContract } from './telemetryContract.js'
import { websocketContract } from './websocketContract.js'

/** How the suites build one framework version's apps: the proxy mounted, or guarded routes. */
export interface FrameworkBuilders {
  readonly build: BuildApp
  readonly buildGuard: BuildGuardApp
}

/**
 * The contract suites of the middleware adapters (Express, Koa): the one list of registrations that
 * every Express and Koa version runs (add a contract here, not in a version's test file; Fastify
 * has its own list in fastify.contract.test.ts). Both mount on the app's own Node server, so they
 * share what Fastify lacks: an upgrade hook, body parsers before the gateway, `close(graceMs)`.
 */
export function middlewareContracts({ build, buildGuard }: FrameworkBuilders): void {
  proxyContract(build)
  cookieContract(build)
  logContract(build)
  healthContract(build)
  outlierContract(build)
  hedgeContract(build)
  serverTimingContract(build)
  rewriteBodyContract(build)
  telemetryContract(build, buildGuard)
  websocketContract(build, { upgradeHook: true })
  bodyParserContract(build)
  graceArgumentContract(build)
  guardContract(buildGuard)
  outboundProxyContract(buildGuard)
  targetFunctionContract(build)
  guardOriginsContract(buildGuard)
  attemptLoopContract(build, buildGuard)
  http2Contract(build, buildGuard)
}

/**
 * Listen with an Express or Koa gateway middleware: its upgrade listener on the server (unless the
 * setup leaves it out), its `close(graceMs)` and `health()` as the app's.
 */
export function listenWithMiddleware(
  server: Server,
  middleware: Pick<GatewayMiddleware, 'upgrade' | 'close' | 'health'>,
  setup?: AppSetup,
): Promise<GatewayApp> {
  if (!setup?.withoutUpgradeHook) server.on('upgrade', middleware.upgrade)
  return listen(
    server,
    (graceMs) => middleware.close(graceMs),
    (options) => middleware.health(options),
  )
}
