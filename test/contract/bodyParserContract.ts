import { describe, expect, it } from 'vitest'
import { nextWarning } from '../helpers/nextWarning.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

/**
 * A body parser mounted before the gateway read the body it should stream: for the frameworks where
 * an app's parser can run first (Express, Koa). Fastify's proxy routes have a pass-through parser of
 * their own, so no app parser ever reaches them (test/fastify.adapter.test.ts, "encapsulation").
 */
export function bodyParserContract(build: BuildApp): void {
  describe('misuse', () => {
    it('a body parser mounted before the gateway -> 500 proxy_internal_error and a warning naming the fix, never a hang or an empty body upstream', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url }, { bodyParser: true })
      const warning = nextWarning('GATEWAY_BODY_CONSUMED')
      const res = await send(`${app.url}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      })
      expect(res.status).toBe(500)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
      expect((await warning).message).toMatch(/Mount the gateway before body parsers/)
      expect(up.hits('/echo')).toBe(0)
    })
  })
}
