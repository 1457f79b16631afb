// Guard mode on Express: a route that makes one upstream call through `req.gateway.request()`.
// Its twin, guard-undici-express.mjs, is the same route calling `undici.request` directly.
import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, gatewayOptions } = targetConfig()
const app = express()
app.use(gatewayMiddleware(gatewayOptions))
app.get('/api/small', async (req, res) => {
  const { statusCode, headers, body } = await req.gateway.request(`${upstream}/small`)
  res
    .status(statusCode)
    .set('content-type', String(headers['content-type']))
    .send(await body.text())
})
app.use(gatewayErrorHandler())
serveChild(app.listen(0, '127.0.0.1'))
