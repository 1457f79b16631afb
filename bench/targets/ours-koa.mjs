// Ours on Koa, as the README mounts it: under koa-mount, before any body parser, and the server's
// upgrade hook (the README's one line for WebSockets; it does nothing for plain HTTP).
import { gatewayMiddleware } from '@gateway-middleware/koa'
import Koa from 'koa'
import mount from 'koa-mount'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, gatewayOptions, telemetry } = targetConfig()
// --telemetry: the SDK registered first, as an app's instrumentation file does
if (telemetry) (await import('../processes/registerTelemetry.mjs')).registerTelemetry()
const app = new Koa()
const middleware = gatewayMiddleware({ target: upstream, ...gatewayOptions })
app.use(mount('/api', middleware))
const server = app.listen(0, '127.0.0.1')
server.on('upgrade', middleware.upgrade)
serveChild(server)
