// http-proxy 1.x on a bare node:http server, as its README sets it up: one proxy server, an
// `error` listener answering 502. Without --keep-alive it uses no agent (its default, which sends
// `Connection: close` upstream); with it, `new http.Agent({ keepAlive: true })`. With --ws, also
// `ws: true` and the server's upgrade event to `proxy.ws()` (a raw socket pipe after the switch),
// for the same /api paths.
import { Agent, createServer } from 'node:http'
import httpProxy from 'http-proxy'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive, webSocket } = targetConfig()
const proxy = httpProxy.createProxyServer({
  target: upstream,
  agent: keepAlive ? new Agent({ keepAlive: true }) : undefined,
  ...(webSocket ? { ws: true } : {}),
})
proxy.on('error', (_error, _req, res) => {
  if (!('writeHead' in res)) return void res.destroy()
  if (res.headersSent) return void res.destroy()
  res.writeHead(502, { 'content-type': 'text/plain' })
  res.end('Bad Gateway\n')
})
/** The path under the upstream for a request under /api, or undefined. @param {string} url */
const underApi = (url) =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?') ? url.slice(4) || '/' : undefined
const server = createServer((req, res) => {
  const path = underApi(req.url)
  if (path !== undefined) {
    req.url = path
    return proxy.web(req, res)
  }
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found\n')
})
if (webSocket) {
  server.on('upgrade', (req, socket, head) => {
    const path = underApi(req.url)
    if (path === undefined) return void socket.destroy()
    req.url = path
    proxy.ws(req, socket, head)
  })
}
serveChild(server.listen(0, '127.0.0.1'))
