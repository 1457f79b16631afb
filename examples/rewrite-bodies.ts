import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
app.use(
  '/',
  gatewayMiddleware({
    target: 'http://127.0.0.1:4000',
    rewriteResponseBody: {
      // exact media types (parameters such as charset ignored), or a whole type as 'text/*'
      types: ['text/html', 'application/json'],
      // the body arrives decoded (gzip, deflate, br); return a Buffer or a string (UTF-8), or a promise of one
      // (a fixed public origin: never the client's Host, which anyone can set)
      rewrite: (body) => body.toString('utf8').replaceAll('http://127.0.0.1:4000', 'https://www.example.com'),
      limit: 2 * 1024 * 1024, // bytes; a larger body passes through untouched, still streaming
    },
  }),
)
app.listen(3000)
