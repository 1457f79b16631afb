import { createGateway, type GatewayOptions } from '@gateway-middleware/core'
import { graceWithin, optionError, warnOnce } from '@gateway-middleware/core/adapter'
import type { FastifyInstance, FastifyPluginAsync, FastifyRegisterOptions, RegisterOptions } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { reportHealth } from './gatewayHealth.js'
import { guardRoutes } from './guardRoutes.js'
import { type ProxyRoutesOptions, proxyRoutes } from './proxyRoutes.js'
import { listenForUpgrades, stopListeningForUpgrades } from './upgradeListener.js'

/**
 * Options of {@link gatewayPlugin}: the gateway's options, and Fastify's own registration options
 * (`prefix`, `logLevel`, `logSerializers`), which apply to the proxy's routes.
 */
export interface GatewayPluginOptions extends GatewayOptions, RegisterOptions {
  /**
   * The path the proxy serves (`/api` serves `/api` and `/api/*`), stripped before forwarding.
   * Without one, the proxy serves every path the app does not route otherwise.
   * @default ''
   */
  prefix?: string
}

/** Options Fastify reads itself; they go to the proxy's own context, not to the core. */
const FASTIFY_KEYS = ['prefix', 'logLevel', 'logSerializers'] as const

const plugin: FastifyPluginAsync<GatewayPluginOptions> = async (instance, options) => {
  const gatewayOptions: Record<string, unknown> = { ...options }
  for (const key of FASTIFY_KEYS) delete gatewayOptions[key]
  // Fastify's way: the gateway's records go to the app's logger unless another is given, each
  // request's to its own `request.log` (the app's request id bound); the rest (ejections) to `log`
  const requestLog = gatewayOptions.logger === undefined
  gatewayOptions.logger ??= instance.log
  const gateway = createGateway(gatewayOptions as GatewayOptions)
  // Fastify fails a preClose hook that runs past its pluginTimeout: the grace ends before that
  const { gracePeriod } = gateway.options
  const hookTimeout = instance.initialConfig.pluginTimeout ?? 0
  const grace = graceWithin(gracePeriod, hookTimeout)
  if (hookTimeout > 0 && gracePeriod > hookTimeout) {
    warnOnce(
      'GATEWAY_FASTIFY_GRACE_SHORTENED',
      `gateway-middleware: gracePeriod (${gracePeriod} ms) is longer than Fastify's pluginTimeout (${hookTimeout} ms), ` +
        `after which Fastify fails a close hook, so app.close() gives in-flight upstream calls ${grace} ms. ` +
        'Raise pluginTimeout (or set it to 0) to give them the whole grace period.',
    )
  }
  // preClose, not only onClose: Fastify's server waits for in-flight requests before onClose runs, so
  // the gateway must finish or abort its upstream calls (within the grace) first
  // (a hook's promise must settle with nothing: Fastify would take the close report for an error)
  const close = async (): Promise<void> => {
    stopListeningForUpgrades(instance)
    await gateway.close(grace)
  }
  instance.addHook('preClose', close)
  instance.addHook('onClose', close)
  if (gateway.mode === 'guard') {
    if (options.prefix !== undefined) {
      await gateway.close()
      throw optionError(
        'prefix',
        'a target to proxy to (without target the plugin guards the routes declared after it)',
        options.prefix,
      )
    }
    guardRoutes(instance, gateway, requestLog)
    return
  }
  // once every plugin is registered: whether @fastify/websocket routes upgrades, or the gateway does
  instance.addHook('onReady', async function (this: FastifyInstance) {
    listenForUpgrades(this)
  })
  // fastify-plugin skips encapsulation, and with it `prefix`: the routes get a context of their own
  const prefix = options.prefix?.replace(/\/+$/, '')
  const context: FastifyRegisterOptions<ProxyRoutesOptions> = { gateway, requestLog }
  if (prefix !== undefined && prefix !== '') context.prefix = prefix
  if (options.logLevel !== undefined) context.logLevel = options.logLevel
  if (options.logSerializers !== undefined) context.logSerializers = options.logSerializers
  reportHealth(instance, gateway, prefix ?? '')
  await instance.register(proxyRoutes, context)
}

/**
 * With `target`: proxy the requests under `prefix`, answering 502/504 correctly for every upstream
 * failure. Register it as often as needed (one proxy per prefix); the request body is streamed
 * upstream unparsed, while the app's own routes keep their parsers.
 *
 * Without `target`: guard the routes declared after it on the instance it is registered on (and
 * that instance's child contexts). Their handlers get `request.gateway` for upstream calls.
 *
 * ```ts
 * await app.register(gatewayPlugin, { prefix: '/api', target: 'http://127.0.0.1:4000' })
 * ```
 */
// the supported range is the package's peer range: the Fastify versions the suites run (test/versions.test.ts)
export const gatewayPlugin = fastifyPlugin(plugin, { fastify: '^5.12.8', name: '@gateway-middleware/fastify' })
