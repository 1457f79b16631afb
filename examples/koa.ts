import { gatewayMiddleware } from '@gateway-middleware/koa'
import Router from '@koa/router'
import Koa from 'koa'
import mount from 'koa-mount'

const app = new Koa()
// proxy: under koa-mount (it strips the prefix), before any body parser
app.use(mount('/api', gatewayMiddleware({ target: 'http://127.0.0.1:4000' })))
// guard: wraps the routers mounted after it
app.use(gatewayMiddleware({ timeout: { total: 5000 } }))
const router = new Router()
router.get('/profile', async (ctx) => {
  const { body } = await ctx.gateway.request('http://127.0.0.1:4001/me')
  ctx.body = await body.json()
})
app.use(router.routes())
app.listen(3000)
