// http-proxy 1.x on a bare node:http server, as its README sets it up: one proxy server, an
// `error` listener answering 502. Without --keep-alive it uses no agent (its default, which sends
// `Connection: close` upstream); with it, `new http.Agent({ keepAlive: true })`.
import { Agent, createServer } from 'node:http'
import httpProxy from 'http-proxy'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive } = targetConfig()
const proxy = httpProxy.createProxyServer({
  target: upstream,
  agent: keepAlive ? new Agent({ keepAlive: true }) : undefined,
})
proxy.on('error', (_error, _req, res) => {
  if (!('writeHead' in res)) return void res.destroy()
  if (res.headersSent) return void res.destroy()
  res.writeHead(502, { 'content-type': 'text/plain' })
  res.end('Bad Gateway\n')
})
const server = createServer((req, res) => {
  if (req.url === '/api' || req.url.startsWith('/api/') || req.url.startsWith('/api?')) {
    req.url = req.url.slice(4) || '/'
    return proxy.web(req, res)
  }
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found\n')
})
serveChild(server.listen(0, '127.0.0.1'))
