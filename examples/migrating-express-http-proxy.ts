import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

// was: proxy((req) => (req.hostname === 'eu.shop.example' ? EU : US), { proxyReqPathResolver: (req) => `/v2${req.url}`,
//   userResDecorator: (res, data) => data.toString().replaceAll(US, PUBLIC), limit: '1mb', timeout: 10000 })
const US = 'http://127.0.0.1:4000'
const EU = 'http://127.0.0.1:4001'
const PUBLIC = 'https://shop.example'
const app = express()
app.use(
  '/shop',
  gatewayMiddleware({
    // the host function: told method, url, headers and the peer address; matched exactly
    target: ({ headers }) => (String(headers.host).toLowerCase() === 'eu.shop.example' ? `${EU}/v2` : `${US}/v2`),
    // userResDecorator: bodies of these types arrive decoded, and leave with the right Content-Length
    rewriteResponseBody: {
      types: ['text/html', 'application/json'],
      rewrite: (body) => body.toString('utf8').replaceAll(US, PUBLIC),
    },
    limits: { body: 1024 * 1024 }, // limit: '1mb'
    timeout: { total: 10000 }, // timeout (ms)
  }),
)
app.listen(3000)
