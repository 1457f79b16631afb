import { createServer } from 'node:http'
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

// was: createProxyMiddleware({ target, changeOrigin: true, ws: true, pathFilter: '/api',
//   pathRewrite: { '^/v1/': '/v2/' }, headers: { 'x-api-key': KEY }, cookieDomainRewrite: { 'users.internal': 'shop.example' },
//   on: { error: (err) => log(err) } })
const KEY = process.env.API_KEY ?? ''
const app = express()
const gateway = gatewayMiddleware({
  target: 'http://127.0.0.1:4000', // changeOrigin is the default: the target's Host is sent
  rewritePath: (path) => path.replace(/^\/v1\//, '/v2/'), // pathRewrite, as a function
  rewriteRequestHeaders: (headers) => ({ ...headers, 'x-api-key': KEY }), // headers / on.proxyReq
  rewriteCookies: { domain: { 'users.internal': 'shop.example' } }, // cookieDomainRewrite
  onError: (error, { target, attempt }) => console.error(error.code, target, attempt), // on.error: told; the 502/504 page is the gateway's
})
app.use('/api', gateway) // pathFilter: the mount path (stripped before rewritePath sees the path)
const server = createServer(app)
server.on('upgrade', gateway.upgrade) // ws: true — WebSockets are proxied by default
server.listen(3000)
