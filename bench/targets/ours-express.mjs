// Ours on Express, as the README's quick start mounts it: under /api, before any body parser.
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, gatewayOptions, telemetry } = targetConfig()
// --telemetry: the SDK registered first, as an app's instrumentation file does
if (telemetry) (await import('../processes/registerTelemetry.mjs')).registerTelemetry()
const app = express()
app.use('/api', gatewayMiddleware({ target: upstream, ...gatewayOptions }))
serveChild(app.listen(0, '127.0.0.1'))
