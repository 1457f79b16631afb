// koa-proxies 0.12 on Koa, as its README sets it up: `proxy(path, { target, changeOrigin, rewrite })`.
// With --keep-alive, `agent: new http.Agent({ keepAlive: true })` (it hands its options to http-proxy).
import { Agent } from 'node:http'
import Koa from 'koa'
import proxy from 'koa-proxies'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive } = targetConfig()
const app = new Koa()
app.use(
  proxy('/api', {
    target: upstream,
    changeOrigin: true,
    rewrite: (path) => path.replace(/^\/api/, '') || '/',
    ...(keepAlive ? { agent: new Agent({ keepAlive: true }) } : {}),
  }),
)
serveChild(app.listen(0, '127.0.0.1'))
