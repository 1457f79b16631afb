import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
const api = gatewayMiddleware({ target: 'http://127.0.0.1:4000' })
app.use('/api', api)
const server = app.listen(3000)
// WebSocket handshakes go through the app (its middleware first), then to the gateway
server.on('upgrade', api.upgrade)
