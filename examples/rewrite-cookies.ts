import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
app.use(
  '/api',
  gatewayMiddleware({
    target: 'http://users.internal:4000/v1',
    rewriteCookies: {
      domain: { 'users.internal': 'shop.example', '*': false }, // other domains: Domain removed
      path: { '/v1': '/api' }, // exact values; '/v1/x' would stay
    },
  }),
)
app.listen(3000)
