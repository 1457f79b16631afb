import { gatewayMiddleware } from '@gateway-middleware/koa'
import Koa from 'koa'
import mount from 'koa-mount'

// was: app.use(proxy('/api', { target: 'http://127.0.0.1:4000', changeOrigin: true,
//   rewrite: (path) => path.replace(/^\/api/, ''), logs: true, events: { error: (err) => log(err) } }))
const app = new Koa()
app.use(
  mount(
    '/api', // koa-mount strips the prefix: no rewrite needed for it
    gatewayMiddleware({
      target: 'http://127.0.0.1:4000',
      logger: console, // logs: any pino-shaped logger; one record per answer the gateway made
      onError: (error, { target }) => console.error(error.code, target), // events.error
    }),
  ),
)
app.listen(3000)
