import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, type Readable } from 'node:stream'
import { type GatewayMiddleware, gatewayMiddleware, isGatewayError } from '@gateway-middleware/koa'
import Router from '@koa/router'
import type Koa from 'koa'
import mount from 'koa-mount'
import { describe, expect, it, onTestFinished } from 'vitest'
import { listen, send, upstream } from './contract/harness.js'
import { KOA_VERSIONS, type KoaVersion } from './frameworks/koaVersions.js'
import { type RecordedRequest, refusedUrl } from './helpers/faultUpstream.js'
import { parseRawResponse, rawRequest } from './helpers/rawRequest.js'

/** A Koa app with errors after headers collected instead of logged. */
function koaApp(version: KoaVersion): { app: Koa; errors: unknown[] } {
  const app = new version.Koa()
  const errors: unknown[] = []
  app.on('error', (error: unknown) => errors.push(error))
  return { app, errors }
}

/** Listen on 127.0.0.1; the test closes the server and the gateway when it finishes. */
async function start(app: Koa, gateway: GatewayMiddleware) {
  const started = await listen(createServer(app.callback()), () => gateway.close())
  onTestFinished(() => started.close())
  return started
}

/** A node:http upstream the test closes when it finishes. */
async function plainUpstream(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe.each(KOA_VERSIONS)('$name adapter', (version) => {
  const koa = () => koaApp(version)

  describe('response headers as the upstream sent them', () => {
    it('a response without Content-Type stays without one (Koa would label the stream application/octet-stream)', async () => {
      const target = await plainUpstream((_req, res) => {
        res.write('untyped ')
        res.end('bytes')
      })
      const { app } = koa()
      const gateway = gatewayMiddleware({ target })
      app.use(gateway)
      const { url } = await start(app, gateway)
      const res = await send(`${url}/x`)
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBeUndefined()
      expect(res.text).toBe('untyped bytes')
    })

    it('Content-Length from the upstream is kept and the body is not re-chunked', async () => {
      const up = await upstream()
      const { app } = koa()
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { port } = await start(app, gateway)
      const { raw } = await rawRequest(
        port,
        'GET /download?bytes=100000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      )
      const res = parseRawResponse(raw)
      expect(res.status).toBe(200)
      expect(res.headers['content-length']).toBe('100000')
      expect(res.headers['transfer-encoding']).toBeUndefined()
      expect(res.headers['content-type']).toBe('application/octet-stream')
      expect(res.complete).toBe(true)
      expect(res.body.length).toBe(100_000)
    })

    it('HEAD keeps the upstream Content-Length and Content-Type and sends no body', async () => {
      const up = await upstream()
      const { app } = koa()
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { port } = await start(app, gateway)
      const { raw } = await rawRequest(
        port,
        'HEAD /download?bytes=1234 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      )
      const head = raw.toString('latin1')
      expect(head).toMatch(/^HTTP\/1\.1 200 /)
      expect(head).toMatch(/\r\ncontent-length: 1234\r\n/i)
      expect(head).toMatch(/\r\ncontent-type: application\/octet-stream\r\n/i)
      expect(head.endsWith('\r\n\r\n')).toBe(true)
    })
  })

  describe('middleware around the gateway', () => {
    it("sees the upstream's status and headers after await next()", async () => {
      const up = await upstream()
      const { app } = koa()
      const seen: unknown[] = []
      app.use(async (ctx, next) => {
        await next()
        seen.push([ctx.status, ctx.response.get('x-upstream'), ctx.response.get('content-type')])
      })
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { url } = await start(app, gateway)
      const res = await send(`${url}/status/503`)
      expect(res.status).toBe(503)
      expect(res.text).toBe('upstream says 503')
      expect(seen).toEqual([[503, 'yes', 'text/plain']])
    })

    it("sees the gateway's status and Proxy-Status for a refused upstream", async () => {
      const { app } = koa()
      const seen: unknown[] = []
      app.use(async (ctx, next) => {
        await next()
        seen.push([ctx.status, ctx.response.get('proxy-status')])
      })
      const gateway = gatewayMiddleware({ target: await refusedUrl() })
      app.use(gateway)
      const { url } = await start(app, gateway)
      const res = await send(`${url}/x`)
      expect(res.status).toBe(502)
      expect(seen).toEqual([[502, 'gateway-middleware; error=connection_refused']])
    })

    it('sees the body stream as ctx.body, and when Koa pipes it the body writes itself into the response (no stream in between)', async () => {
      const up = await upstream()
      const { app } = koa()
      const seen: unknown[] = []
      app.use(async (ctx, next) => {
        // a Readable piped into the response announces itself with 'pipe'; the direct write does not
        ctx.res.on('pipe', () => seen.push('piped'))
        await next()
        seen.push(typeof (ctx.body as Readable).pipe)
      })
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { url } = await start(app, gateway)
      const res = await send(`${url}/download?bytes=${4 * 1024 * 1024}`)
      expect(res.status).toBe(200)
      expect(res.body.length).toBe(4 * 1024 * 1024)
      expect(seen).toEqual(['function'])
    })

    it('can pipe the body on (compression-style), and a failure after headers still cuts the connection', async () => {
      const up = await upstream()
      const { app } = koa()
      app.use(async (ctx, next) => {
        await next()
        // .pipe() does not pass errors on: without the adapter, the client would wait forever
        ctx.body = (ctx.body as Readable).pipe(new PassThrough())
      })
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { port } = await start(app, gateway)
      const { raw, closedBy } = await rawRequest(port, 'GET /chunked-cut HTTP/1.1\r\nHost: x\r\n\r\n')
      expect(closedBy).not.toBe('timeout')
      const res = parseRawResponse(raw)
      expect(res.status).toBe(200)
      expect(res.complete).toBe(false)
    })
  })

  describe('a body stream error after headers', () => {
    it("cuts the connection, reaches app 'error' once as a GatewayError, and does not crash the process", async () => {
      const up = await upstream()
      const { app, errors } = koa()
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { port } = await start(app, gateway)
      const { raw, closedBy } = await rawRequest(port, 'GET /reset-mid-body HTTP/1.1\r\nHost: x\r\n\r\n')
      expect(closedBy).not.toBe('timeout')
      const res = parseRawResponse(raw)
      expect(res.status).toBe(200)
      expect(res.complete).toBe(false)
      expect(raw.toString('latin1')).not.toMatch(/Bad Gateway|Internal Server Error/)
      expect(errors).toHaveLength(1)
      expect(isGatewayError(errors[0]) && errors[0].afterHeaders).toBe(true)
    })

    it('while middleware around the gateway still runs cuts the connection instead of crashing the process', async () => {
      const up = await upstream()
      const { app } = koa()
      app.use(async (_ctx, next) => {
        await next()
        // Koa only starts writing (and listening to the body) when this returns
        await new Promise((resolve) => setTimeout(resolve, 300))
      })
      const gateway = gatewayMiddleware({ target: up.url })
      app.use(gateway)
      const { port } = await start(app, gateway)
      const { raw, closedBy } = await rawRequest(port, 'GET /reset-mid-body HTTP/1.1\r\nHost: x\r\n\r\n')
      // (a crash would be an uncaught exception, which fails the run)
      expect(closedBy).not.toBe('timeout')
      expect(raw.length === 0 || !parseRawResponse(raw).complete).toBe(true)
    })
  })

  describe('mounting', () => {
    it('on a @koa/router 15 route, rewritePath decides the path the upstream sees', async () => {
      const up = await upstream()
      const { app } = koa()
      const router = new Router()
      const gateway = gatewayMiddleware({ target: up.url, rewritePath: (path) => path.slice(4) })
      router.all('/api/{*rest}', gateway)
      app.use(router.routes())
      const { url } = await start(app, gateway)
      const res = await send(`${url}/api/echo/users?id=1`, { method: 'PUT', body: 'x' })
      expect(res.status).toBe(200)
      const seen = JSON.parse(res.text) as RecordedRequest
      expect(seen.url).toBe('/echo/users?id=1')
      expect(seen.method).toBe('PUT')
      expect((await send(`${url}/other/echo`)).status).toBe(404)
      expect(up.requests).toHaveLength(1)
    })

    it.each([
      [
        'nested koa-mounts',
        (g: Koa.Middleware) => mount('/a', mount('/b', g)),
        '/a/b',
        'http://public.example/a/b/next',
      ],
      [
        'a mount prefix with a trailing slash',
        (g: Koa.Middleware) => mount('/a/', g),
        '/a',
        'http://public.example/a/next',
      ],
    ])(
      'under %s, the full mount path is stripped and put back into redirects',
      async (_name, wrap, prefix, location) => {
        const up = await upstream()
        const { app } = koa()
        const gateway = gatewayMiddleware({ target: up.url })
        app.use(wrap(gateway))
        const { url } = await start(app, gateway)
        const res = await send(`${url}${prefix}/redirect?to=${encodeURIComponent(`${up.url}/next`)}`, {
          headers: { host: 'public.example' },
        })
        expect(res.status).toBe(302)
        expect(up.requests[0]?.url.startsWith('/redirect?')).toBe(true)
        expect(res.headers.location).toBe(location)
      },
    )

    it('a koa-mount that passed the request on does not put its prefix into redirects', async () => {
      const up = await upstream()
      const { app } = koa()
      // koa-mount leaves ctx.mountPath set after its middleware called next()
      app.use(mount('/static', async (_ctx, next) => next()))
      const gateway = gatewayMiddleware({ target: up.url, rewritePath: (path) => path.slice('/static'.length) })
      app.use(gateway)
      const { url } = await start(app, gateway)
      const res = await send(`${url}/static/redirect?to=${encodeURIComponent(`${up.url}/next`)}`, {
        headers: { host: 'public.example' },
      })
      expect(res.status).toBe(302)
      expect(res.headers.location).toBe('http://public.example/next')
    })
  })

  describe('misuse', () => {
    it('a proxy-only option without a target throws at setup, naming the option', () => {
      expect(() => gatewayMiddleware({ rewritePath: (p) => p })).toThrow(/option "rewritePath" expected a target/)
    })
  })
})
