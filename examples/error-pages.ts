import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
app.use(
  '/api',
  gatewayMiddleware({
    target: 'http://127.0.0.1:4000',
    errorPages: {
      // a template for every 502: placeholders are HTML-escaped
      502: '<!doctype html><html lang="en"><title>{{title}}</title><h1>We are on it</h1><p>Request {{requestId}}, {{time}}</p>',
      // a file, read once at setup (also a template)
      503: { file: new URL('./pages/maintenance.html', import.meta.url).pathname },
      // a function for one failure kind (it wins over its status): may be async, may answer any type
      http_response_timeout: async (_error, request) =>
        request.type === 'text/html' ? undefined : { type: 'application/json', body: '{"retry":"soon"}' },
      defaultType: 'text/html', // for no Accept or */*
      timeoutRetryAfter: 10, // Retry-After (seconds) on the gateway's 504s
    },
    onError: (error, context) => {
      // a custom page that threw, rejected or took over a second: the client got the default page
      if (context.errorPage !== undefined) console.error(`errorPages.${context.errorPage} failed`, error.cause)
    },
  }),
)
app.listen(3000)
