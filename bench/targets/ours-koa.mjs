// Ours on Koa, as the README mounts it: under koa-mount, before any body parser.
import { gatewayMiddleware } from '@gateway-middleware/koa'
import Koa from 'koa'
import mount from 'koa-mount'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, gatewayOptions, telemetry } = targetConfig()
// --telemetry: the SDK registered first, as an app's instrumentation file does
if (telemetry) (await import('../processes/registerTelemetry.mjs')).registerTelemetry()
const app = new Koa()
app.use(mount('/api', gatewayMiddleware({ target: upstream, ...gatewayOptions })))
serveChild(app.listen(0, '127.0.0.1'))
