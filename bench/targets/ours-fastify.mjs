// Ours on Fastify, as the README registers it: the plugin with a prefix (WebSockets need nothing more).
import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify from 'fastify'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, gatewayOptions, telemetry } = targetConfig()
// --telemetry: the SDK registered first, as an app's instrumentation file does
if (telemetry) (await import('../processes/registerTelemetry.mjs')).registerTelemetry()
const app = Fastify()
await app.register(gatewayPlugin, { prefix: '/api', target: upstream, ...gatewayOptions })
await app.listen({ port: 0, host: '127.0.0.1' })
serveChild(app.server)
