// @fastify/reply-from 12 on Fastify, as its README sets it up (`base`, its default undici pool),
// behind a prefixed route the way @fastify/http-proxy builds one: an encapsulated context whose
// catch-all content-type parser hands the body over as a stream. With --upstream-timeout=<ms>, its
// pool's `headersTimeout` and `bodyTimeout` (its README's timeout options; 504 on expiry).
import replyFrom from '@fastify/reply-from'
import Fastify from 'fastify'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const PREFIX = '/api'
const { upstream, upstreamTimeout } = targetConfig()
const app = Fastify()
await app.register(replyFrom, {
  base: upstream,
  ...(upstreamTimeout === undefined
    ? {}
    : { undici: { headersTimeout: upstreamTimeout, bodyTimeout: upstreamTimeout } }),
})
await app.register(
  async (api) => {
    api.removeAllContentTypeParsers()
    api.addContentTypeParser('*', (_request, payload, done) => done(null, payload))
    const forward = (request, reply) => reply.from(request.url.slice(PREFIX.length) || '/')
    api.all('/', forward)
    api.all('/*', forward)
  },
  { prefix: PREFIX },
)
await app.listen({ port: 0, host: '127.0.0.1' })
serveChild(app.server)
