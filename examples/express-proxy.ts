import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
// mount the gateway before any body parser: it streams the request body itself
app.use(
  '/api',
  gatewayMiddleware({
    target: 'http://127.0.0.1:4000',
    timeout: { connect: 5000, headers: 30000, idle: 30000, total: 60000 }, // ms; these are the defaults
  }),
)
app.listen(3000)
