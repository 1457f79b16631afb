// express-http-proxy 2 on Express: `app.use('/api', proxy(host, …))`, with `parseReqBody: false`,
// which its README asks for binary uploads (our POST is application/octet-stream) and large
// bodies. It sends `Connection: close` upstream on every request, whatever the agent (and the
// upstream's `Connection: close` reaches the client, which must reconnect too). With --keep-alive,
// its `proxyReqOptDecorator` hook sets `agent: new http.Agent({ keepAlive: true })` and
// `Connection: keep-alive`.
import { Agent } from 'node:http'
import express from 'express'
import proxy from 'express-http-proxy'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream, keepAlive } = targetConfig()
const agent = new Agent({ keepAlive: true })
const app = express()
app.use(
  '/api',
  proxy(upstream, {
    parseReqBody: false,
    ...(keepAlive
      ? {
          proxyReqOptDecorator: (proxyReqOpts) => {
            proxyReqOpts.agent = agent
            proxyReqOpts.headers.connection = 'keep-alive'
            return proxyReqOpts
          },
        }
      : {}),
  }),
)
serveChild(app.listen(0, '127.0.0.1'))
