import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
// guard mode behind a corporate proxy: HTTP_PROXY, HTTPS_PROXY and NO_PROXY read once, here
app.use(gatewayMiddleware({ timeout: { total: 5000 }, outboundProxy: 'env' }))
// or explicitly: outboundProxy: { https: 'http://proxy.corp:3128', noProxy: '.corp,localhost' }
app.get('/rates', async (req, res) => {
  const { body } = await req.gateway.request('https://api.example.com/rates')
  res.json(await body.json())
})
app.use(gatewayErrorHandler())
app.listen(3000)
