import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const USERS = 'http://127.0.0.1:4001'
const app = express()
// guard mode (no target): every route after it gets req.gateway and a 5 s deadline
app.use(gatewayMiddleware({ timeout: { total: 5000 } }))
app.get('/profile', async (req, res) => {
  const { body } = await req.gateway.request(`${USERS}/me`) // fast, undici-style
  res.json(await body.json())
})
app.get('/orders', async (req, res) => {
  const response = await req.gateway.fetch(`${USERS}/orders`) // the familiar fetch, same deadline
  res.json(await response.json())
})
// after the routes: upstream failures become 502/504 pages, app bugs stay Express's 500
app.use(gatewayErrorHandler())
app.listen(3000)
