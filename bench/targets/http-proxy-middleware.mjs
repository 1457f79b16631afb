// http-proxy-middleware 3 on Express, as its README recommends: `app.use('/api', …)` with
// `changeOrigin: true`. With --keep-alive, `agent: new http.Agent({ keepAlive: true })`.
import { Agent } from 'node:http'
import express from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive } = targetConfig()
const app = express()
app.use(
  '/api',
  createProxyMiddleware({
    target: upstream,
    changeOrigin: true,
    ...(keepAlive ? { agent: new Agent({ keepAlive: true }) } : {}),
  }),
)
serveChild(app.listen(0, '127.0.0.1'))
