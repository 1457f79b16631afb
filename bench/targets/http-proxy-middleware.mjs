// http-proxy-middleware 3 on Express, as its README recommends: `app.use('/api', …)` with
// `changeOrigin: true`. With --keep-alive, `agent: new http.Agent({ keepAlive: true })`. With --ws,
// `ws: true` and its README's "external WebSocket upgrade", `server.on('upgrade', proxy.upgrade)`;
// the upgrade listener sees the whole path (no Express mount), so `pathRewrite` strips /api. With
// --upstream-timeout=<ms>, `proxyTimeout` (its 504 on expiry).
import { Agent } from 'node:http'
import express from 'express'
import { createProxyMiddleware } from 'http-proxy-middleware'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive, webSocket, upstreamTimeout } = targetConfig()
const app = express()
const proxy = createProxyMiddleware({
  target: upstream,
  changeOrigin: true,
  ...(keepAlive ? { agent: new Agent({ keepAlive: true }) } : {}),
  ...(upstreamTimeout === undefined ? {} : { proxyTimeout: upstreamTimeout }),
  ...(webSocket ? { ws: true, pathRewrite: { '^/api': '' } } : {}),
})
app.use('/api', proxy)
const server = app.listen(0, '127.0.0.1')
if (webSocket) server.on('upgrade', proxy.upgrade)
serveChild(server)
