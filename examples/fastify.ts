import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify from 'fastify'

const app = Fastify()
// proxy: serves /api and /api/*, the body streamed upstream unparsed
await app.register(gatewayPlugin, { prefix: '/api', target: 'http://127.0.0.1:4000' })
// guard: wraps the routes declared after it (and in child contexts)
await app.register(gatewayPlugin, { timeout: { total: 5000 } })
app.get('/profile', async (request) => {
  const { body } = await request.gateway.request('http://127.0.0.1:4001/me')
  return body.json()
})
await app.listen({ port: 3000, host: '127.0.0.1' })
