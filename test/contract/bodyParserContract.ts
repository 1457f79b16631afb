import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { nextWarning } from '../helpers/nextWarning.js'
import { scriptedUpstream } from '../helpers/scriptedUpstream.js'
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

  describe('reserializeBody', () => {
    /** An upstream that records what it got and answers 200 `ok`. */
    const recorder = () =>
      scriptedUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('ok')
      })

    it("the parser's original bytes are forwarded: a repeated form field a=1&a=2 arrives byte-identical, not as qs writes it back", async () => {
      const up = await recorder()
      const app = await gateway(build, '', { target: up.url, reserializeBody: true }, { bodyParser: { keepRaw: true } })
      const body = 'a=1&a=2&b=x+y'
      const res = await send(`${app.url}/form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      expect(res.status).toBe(200)
      expect(up.received).toHaveLength(1)
      expect(up.received[0]?.body.toString('latin1')).toBe(body)
      expect(up.received[0]?.headers['content-length']).toBe(String(body.length))
    })

    it('JSON with an integer above 2^53 arrives byte-identical when the original bytes are kept (spacing too)', async () => {
      const up = await recorder()
      const app = await gateway(build, '', { target: up.url, reserializeBody: true }, { bodyParser: { keepRaw: true } })
      const body = '{ "id": 9007199254740993, "name" : "é" }'
      const res = await send(`${app.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(res.status).toBe(200)
      expect(up.received[0]?.body.equals(Buffer.from(body))).toBe(true)
      expect(up.received[0]?.headers['content-length']).toBe(String(Buffer.byteLength(body)))
    })

    it('a gzip request body the parser inflated goes upstream as the inflated bytes, with their Content-Length and no Content-Encoding', async () => {
      const up = await recorder()
      const app = await gateway(build, '', { target: up.url, reserializeBody: true }, { bodyParser: { keepRaw: true } })
      const body = '{"a":[1,2,3]}'
      const res = await send(`${app.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(body),
      })
      expect(res.status).toBe(200)
      expect(up.received[0]?.body.toString()).toBe(body)
      expect(up.received[0]?.headers['content-length']).toBe(String(body.length))
      expect(up.received[0]?.headers['content-encoding']).toBeUndefined()
    })

    it('without the original bytes: JSON is written back with JSON.stringify and a flat form with URLSearchParams, each with its own Content-Length, and a warning that bytes may differ', async () => {
      const up = await recorder()
      const app = await gateway(
        build,
        '',
        { target: up.url, reserializeBody: true },
        { bodyParser: { keepRaw: false } },
      )
      const warning = nextWarning('GATEWAY_BODY_RESERIALIZED')
      const json = await send(`${app.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{ "a" : 1, "b": [true, null] }',
      })
      expect(json.status).toBe(200)
      expect((await warning).message).toMatch(/rawBody/)
      const form = await send(`${app.url}/form`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1&b=x%20y',
      })
      expect(form.status).toBe(200)
      const [sentJson, sentForm] = up.received
      expect(sentJson?.body.toString()).toBe('{"a":1,"b":[true,null]}')
      expect(sentJson?.headers['content-length']).toBe('23')
      expect(sentForm?.body.toString()).toBe('a=1&b=x+y')
      expect(sentForm?.headers['content-length']).toBe('9')
    })

    it('without the original bytes, a form that is not flat (a=1&a=2, a[b]=1) is refused with 500 rather than rewritten as qs would', async () => {
      const up = await recorder()
      const app = await gateway(
        build,
        '',
        { target: up.url, reserializeBody: true },
        { bodyParser: { keepRaw: false } },
      )
      for (const body of ['a=1&a=2', 'a[b]=1']) {
        const res = await send(`${app.url}/form`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
        expect(res.status, body).toBe(500)
        expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
      }
      expect(up.received).toHaveLength(0)
    })

    it('a body the parser rejected is never forwarded, though the app carried on (http-proxy-middleware GHSA-9gqv-wp59-fq42)', async () => {
      const up = await recorder()
      for (const keepRaw of [true, false]) {
        const app = await gateway(
          build,
          '',
          { target: up.url, reserializeBody: true },
          { bodyParser: { keepRaw, carryOn: true } },
        )
        const res = await send(`${app.url}/json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"role":"admin",',
        })
        expect(res.status, `keepRaw: ${keepRaw}`).toBe(500)
        expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
      }
      expect(up.received).toHaveLength(0)
    })

    it('a multipart body a parser read is never rebuilt, not even from its bytes, nor a form relabelled multipart upstream: CR LF in a value cannot make parts (http-proxy-middleware fixRequestBody multipart advisory)', async () => {
      const up = await recorder()
      const multipart = await gateway(
        build,
        '',
        { target: up.url, reserializeBody: true },
        { bodyParser: { keepRaw: true, textTypes: ['multipart/form-data'] } },
      )
      const boundary = 'XyZ'
      const res = await send(`${multipart.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`,
      })
      expect(res.status).toBe(500)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=proxy_internal_error')
      // the advisory's case: a urlencoded value with CR LF, sent upstream as multipart
      const relabelled = await gateway(
        build,
        '',
        {
          target: up.url,
          reserializeBody: true,
          rewriteRequestHeaders: (headers) => ({
            ...headers,
            'content-type': `multipart/form-data; boundary=${boundary}`,
          }),
        },
        { bodyParser: { keepRaw: false } },
      )
      const injected = `a=${encodeURIComponent(`1\r\n--${boundary}\r\nContent-Disposition: form-data; name="role"\r\n\r\nadmin`)}`
      const smuggle = await send(`${relabelled.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: injected,
      })
      expect(smuggle.status).toBe(500)
      expect(up.received).toHaveLength(0)
    })

    it('limits.body holds for the bytes a parser read and would be forwarded (inflated), not the ones declared: over it -> 413, nothing forwarded', async () => {
      const up = await recorder()
      const app = await gateway(
        build,
        '',
        { target: up.url, reserializeBody: true, limits: { body: 100 } },
        { bodyParser: { keepRaw: true } },
      )
      const compressed = gzipSync(`{"a":"${'a'.repeat(500)}"}`)
      expect(compressed.length).toBeLessThan(100)
      const res = await send(`${app.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: compressed,
      })
      expect(res.status).toBe(413)
      expect(up.received).toHaveLength(0)
    })

    it('a body no parser read still streams untouched with reserializeBody on (a type the parsers skip)', async () => {
      const up = await recorder()
      const app = await gateway(
        build,
        '',
        { target: up.url, reserializeBody: true },
        { bodyParser: { keepRaw: false } },
      )
      const body = Buffer.alloc(200_000, 7)
      const res = await send(`${app.url}/bin`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
      })
      expect(res.status).toBe(200)
      expect(up.received[0]?.body.equals(body)).toBe(true)
    })
  })
}
