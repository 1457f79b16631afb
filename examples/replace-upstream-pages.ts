import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
app.use(
  gatewayMiddleware({
    target: 'http://127.0.0.1:4000',
    errorPages: {
      replaceUpstream: [502, 503, 504], // or true
      503: '<!doctype html><html lang="en"><title>{{title}}</title><h1>Back soon</h1><p>{{requestId}}</p>',
    },
  }),
)
app.listen(3000)
