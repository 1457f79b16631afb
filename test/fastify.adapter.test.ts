import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gatewayPlugin } from '@gateway-middleware/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type GatewayApp, listen, send, upstream } from './contract/harness.js'
import { type RecordedRequest, refusedUrl } from './helpers/faultUpstream.js'
import { nextWarning } from './helpers/nextWarning.js'
import { rawRequest } from './helpers/rawRequest.js'
import { waitFor } from './helpers/waitFor.js'

/** A Fastify app set up by `setup`, listening on 127.0.0.1; the current test closes it. */
async function start(
  setup: (app: FastifyInstance) => PromiseLike<unknown>,
): Promise<GatewayApp & { app: FastifyInstance }> {
  const app = Fastify()
  await setup(app)
  await app.ready()
  const started = await listen(app.server, () => app.close())
  onTestFinished(() => started.close())
  return Object.assign(started, { app })
}

describe('fastify plugin', () => {
  describe('logging', () => {
    it("writes the gateway's records to the app's own logger by default", async () => {
      const target = await refusedUrl()
      const lines: Array<Record<string, unknown>> = []
      const stream = { write: (line: string) => lines.push(JSON.parse(line)) }
      const app = Fastify({ logger: { level: 'info', stream } })
      await app.register(gatewayPlugin, { prefix: '/api', target, retry: false })
      await app.ready()
      const started = await listen(app.server, () => app.close())
      onTestFinished(() => started.close())
      const res = await send(`${started.url}/api/x`)
      expect(res.status).toBe(502)
      const record = lines.find((line) => line.msg === 'gateway answered 502 connection_refused')
      expect(record).toMatchObject({ level: 50, kind: 'connection_refused', path: '/x', status: 502 })
    })

    it("writes a request's records through its request.log, with Fastify's reqId binding (proxy and guard mode); an ejection, of no request, to the app's logger", async () => {
      const target = await refusedUrl()
      const lines: Array<Record<string, unknown>> = []
      const stream = { write: (line: string) => lines.push(JSON.parse(line)) }
      let next = 0
      const app = Fastify({ logger: { level: 'info', stream }, genReqId: () => `fastify-req-${++next}` })
      await app.register(gatewayPlugin, { prefix: '/api', target, retry: false, circuit: { failures: 1 } })
      await app.register(async (guarded) => {
        await guarded.register(gatewayPlugin, {})
        guarded.get('/guarded', async (request) => request.gateway.request(target))
      })
      await app.ready()
      const started = await listen(app.server, () => app.close())
      onTestFinished(() => started.close())
      expect((await send(`${started.url}/api/x`)).status).toBe(502)
      expect((await send(`${started.url}/guarded`)).status).toBe(502)
      const answers = lines.filter((line) => line.msg === 'gateway answered 502 connection_refused')
      expect(answers.map((line) => [line.reqId, line.path])).toEqual([
        ['fastify-req-1', '/x'],
        ['fastify-req-2', '/guarded'],
      ])
      const ejection = lines.find((line) => line.msg === 'target ejected by passive health')
      expect(ejection).toMatchObject({ level: 40, target })
      expect(ejection?.reqId).toBeUndefined()
    })

    it('writes to the logger given instead, for every record', async () => {
      const target = await refusedUrl()
      const lines: Array<Record<string, unknown>> = []
      const stream = { write: (line: string) => lines.push(JSON.parse(line)) }
      const own: Array<[string, Record<string, unknown>]> = []
      const at = (level: string) => (record: object) => own.push([level, record as Record<string, unknown>])
      const logger = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }
      const app = Fastify({ logger: { level: 'info', stream } })
      await app.register(gatewayPlugin, { prefix: '/api', target, retry: false, logger })
      await app.ready()
      const started = await listen(app.server, () => app.close())
      onTestFinished(() => started.close())
      expect((await send(`${started.url}/api/x`)).status).toBe(502)
      expect(own.map(([level, record]) => [level, record.kind])).toEqual([['error', 'connection_refused']])
      expect(lines.filter((line) => line.kind !== undefined)).toEqual([])
    })
  })

  describe('encapsulation', () => {
    it("the app's own JSON routes still parse JSON bodies next to the proxy", async () => {
      const up = await upstream()
      const { url } = await start(async (app) => {
        await app.register(gatewayPlugin, { prefix: '/api', target: up.url })
        app.post('/own', async (request) => ({ got: request.body }))
      })
      const own = await send(`${url}/own`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      })
      expect(own.status).toBe(200)
      expect(JSON.parse(own.text)).toEqual({ got: { a: 1 } })
      // and the proxy next to it still streams the same kind of body unparsed
      const proxied = await send(`${url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      })
      expect((JSON.parse(proxied.text) as RecordedRequest).bodyLength).toBe(7)
    })

    it('reserializeBody needs nothing here: the proxy routes parse no body, so a JSON body streams byte-identical next to the app parsing its own', async () => {
      const up = await upstream()
      const { url } = await start(async (app) => {
        await app.register(gatewayPlugin, { prefix: '/api', target: up.url, reserializeBody: true })
        app.post('/own', async (request) => ({ got: request.body }))
      })
      const body = '{ "id": 9007199254740993 }'
      const proxied = await send(`${url}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(proxied.status).toBe(200)
      expect((JSON.parse(proxied.text) as RecordedRequest).bodySha256).toBe(
        createHash('sha256').update(body).digest('hex'),
      )
    })

    it('a POST body of any content type reaches the upstream intact', async () => {
      const up = await upstream()
      const { url } = await start((app) => app.register(gatewayPlugin, { prefix: '/api', target: up.url }))
      const body = Buffer.alloc(3 * 1024 * 1024 + 17, 'gateway')
      for (const type of ['application/json', 'application/x-www-form-urlencoded', 'image/png', undefined]) {
        const res = await send(`${url}/api/echo`, {
          method: 'POST',
          headers: type === undefined ? {} : { 'content-type': type },
          body,
        })
        expect(res.status, String(type)).toBe(200)
        const seen = JSON.parse(res.text) as RecordedRequest
        expect(seen.bodyLength).toBe(body.length)
        expect(seen.bodySha256).toBe(createHash('sha256').update(body).digest('hex'))
        expect(seen.headers['content-type']).toBe(type)
      }
    })

    it('registering the plugin twice proxies two prefixes to two upstreams', async () => {
      const one = await upstream()
      const two = await upstream()
      const { url } = await start(async (app) => {
        await app.register(gatewayPlugin, { prefix: '/one', target: `${one.url}/echo` })
        await app.register(gatewayPlugin, { prefix: '/two', target: `${two.url}/echo` })
      })
      expect((JSON.parse((await send(`${url}/one/a`)).text) as RecordedRequest).url).toBe('/echo/a')
      expect((JSON.parse((await send(`${url}/two/b`)).text) as RecordedRequest).url).toBe('/echo/b')
      expect(one.hits('/echo/a')).toBe(1)
      expect(two.hits('/echo/b')).toBe(1)
      expect(one.hits('/echo/b') + two.hits('/echo/a')).toBe(0)
    })

    it('hooks on the root instance see the proxied status: onSend and onResponse', async () => {
      const up = await upstream()
      const target = await refusedUrl()
      const onSend: number[] = []
      const onResponse: number[] = []
      const { url } = await start(async (app) => {
        app.addHook('onSend', async (_request, reply, payload) => {
          onSend.push(reply.statusCode)
          return payload
        })
        app.addHook('onResponse', async (_request, reply) => {
          onResponse.push(reply.statusCode)
        })
        await app.register(gatewayPlugin, { prefix: '/api', target: up.url })
        await app.register(gatewayPlugin, { prefix: '/down', target })
      })
      expect((await send(`${url}/api/status/503`)).text).toBe('upstream says 503')
      expect((await send(`${url}/down/x`)).headers['proxy-status']).toBe('gateway-middleware; error=connection_refused')
      await waitFor(() => onResponse.length === 2)
      expect(onSend).toEqual([503, 502])
      expect(onResponse).toEqual([503, 502])
    })

    it('the proxy routes add no onResponse hook: Fastify watches no response end for the gateway (the WebSocket upgrades it needs to see are adopted at the server)', async () => {
      const app = Fastify()
      await app.register(gatewayPlugin, { prefix: '/api', target: 'http://127.0.0.1:1' })
      await app.ready()
      onTestFinished(() => app.close())
      const routes = app.printRoutes({ includeHooks: true, commonPrefix: false })
      expect(routes).toContain('/api')
      // the upgrade-taking onRequest hook is there; an onResponse hook would make Fastify set up
      // 'finish' and 'error' listeners on every response and run a hook chain after each
      expect(routes).toContain('(onRequest)')
      expect(routes).not.toContain('(onResponse)')
    })

    it('onSend sees the body stream, and when Fastify pipes it the body writes itself into the response (no stream in between)', async () => {
      const up = await upstream()
      const seen: unknown[] = []
      const { url } = await start(async (app) => {
        app.addHook('onRequest', async (_request, reply) => {
          // a Readable piped into the response announces itself with 'pipe'; the direct write does not
          reply.raw.on('pipe', () => seen.push('piped'))
        })
        app.addHook('onSend', async (_request, _reply, payload) => {
          seen.push(typeof (payload as { pipe?: unknown }).pipe)
          return payload
        })
        await app.register(gatewayPlugin, { prefix: '/api', target: up.url })
      })
      const res = await send(`${url}/api/download?bytes=${4 * 1024 * 1024}`)
      expect(res.status).toBe(200)
      expect(res.body.length).toBe(4 * 1024 * 1024)
      await waitFor(() => seen.length >= 1)
      expect(seen).toEqual(['function'])
    })

    it('options Fastify reads itself (prefix, logLevel) are not handed to the gateway', async () => {
      const up = await upstream()
      const { url } = await start((app) =>
        app.register(gatewayPlugin, { prefix: '/api', logLevel: 'silent', target: up.url }),
      )
      expect((await send(`${url}/api/ok`)).text).toBe('ok')
    })

    it('an invalid option fails register() with a TypeError naming it', async () => {
      const app = Fastify()
      onTestFinished(() => app.close())
      await expect(
        app.register(gatewayPlugin, { prefix: '/api', target: 'http://127.0.0.1:1', timeout: { connect: 0 } }),
      ).rejects.toThrow(/option "timeout.connect"/)
    })

    it('a prefix without a target fails register() with a TypeError naming it', async () => {
      const app = Fastify()
      onTestFinished(() => app.close())
      await expect(app.register(gatewayPlugin, { prefix: '/api' })).rejects.toThrow(/option "prefix" expected a target/)
    })

    it('the upstream pool closes with app.close()', async () => {
      const up = await upstream()
      const started = await start((app) => app.register(gatewayPlugin, { prefix: '/api', target: up.url }))
      expect((await send(`${started.url}/api/ok`)).status).toBe(200)
      // the pool keeps the connection alive for seconds (pool.keepAliveTimeout, 4000 ms by default)
      expect(up.openSockets()).toBe(1)
      await started.app.close()
      // well within the pool's 4 s keep-alive: the socket closed because the app did
      await waitFor(() => up.openSockets() === 0, 1000)
    })
  })

  describe('paths', () => {
    it('serves the prefix itself and every path under it, query byte-for-byte', async () => {
      const up = await upstream()
      const { url } = await start((app) => app.register(gatewayPlugin, { prefix: '/api', target: `${up.url}/echo` }))
      const seen = async (path: string) => (JSON.parse((await send(`${url}${path}`)).text) as RecordedRequest).url
      expect(await seen('/api')).toBe('/echo/')
      expect(await seen('/api?b=%2F&a')).toBe('/echo/?b=%2F&a')
      expect(await seen('/api/')).toBe('/echo/')
      expect(await seen('/api/anything/deeper?x=1')).toBe('/echo/anything/deeper?x=1')
      expect((await send(`${url}/apiary`)).status).toBe(404)
    })

    it('every method Fastify routes is proxied as it came, HEAD as HEAD', async () => {
      const up = await upstream()
      const { url } = await start((app) => app.register(gatewayPlugin, { prefix: '/api', target: up.url }))
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const res = await send(`${url}/api/echo`, { method })
        expect((JSON.parse(res.text) as RecordedRequest).method).toBe(method)
      }
      const head = await send(`${url}/api/download?bytes=1000`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers['content-length']).toBe('1000')
      expect(head.body.length).toBe(0)
      expect(up.requests.at(-1)?.method).toBe('HEAD')
    })

    it('a prefix the client spelled percent-encoded is stripped as the router matched it', async () => {
      const up = await upstream()
      const { url } = await start((app) => app.register(gatewayPlugin, { prefix: '/my api', target: `${up.url}/echo` }))
      const res = await send(`${url}/my%20api/users?q=%zz`)
      expect((JSON.parse(res.text) as RecordedRequest).url).toBe('/echo/users?q=%zz')
    })

    it('a redirect is rewritten to the prefix as the client spelled it', async () => {
      const up = await upstream()
      const { url } = await start((app) => app.register(gatewayPlugin, { prefix: '/my api', target: up.url }))
      const to = encodeURIComponent(`${up.url}/next`)
      const res = await send(`${url}/my%20api/redirect?to=${to}`, { headers: { host: 'public.example' } })
      expect(res.headers.location).toBe('http://public.example/my%20api/next')
    })

    it('inside a prefixed context, the whole prefix is stripped', async () => {
      const up = await upstream()
      const { url } = await start((app) =>
        app.register(async (v1) => v1.register(gatewayPlugin, { prefix: '/api', target: `${up.url}/echo` }), {
          prefix: '/v1',
        }),
      )
      expect((JSON.parse((await send(`${url}/v1/api/x`)).text) as RecordedRequest).url).toBe('/echo/x')
    })
  })

  describe('responses', () => {
    it('a response without a content type stays without one', async () => {
      const bare = createServer((_req, res) => {
        res.writeHead(200, { 'content-length': '5' })
        res.end('hello')
      })
      await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
      onTestFinished(
        () =>
          new Promise<void>((resolve) => {
            bare.closeAllConnections()
            bare.close(() => resolve())
          }),
      )
      const { url } = await start((app) =>
        app.register(gatewayPlugin, { target: `http://127.0.0.1:${(bare.address() as AddressInfo).port}` }),
      )
      const res = await send(`${url}/x`)
      expect(res.status).toBe(200)
      expect(res.text).toBe('hello')
      expect(res.headers['content-type']).toBeUndefined()
      expect(res.headers['content-length']).toBe('5')
    })

    it.each([
      ['/stall-mid-body?bytes=0', { idle: 300 }],
      ['/reset-mid-body?bytes=0', {}],
    ])(
      'upstream %s fails before its first body byte -> the connection is cut, never a Fastify error page',
      async (path, timeout) => {
        const up = await upstream()
        const seen: string[] = []
        const { port } = await start(async (app) => {
          // an async onError hook delays Fastify's error handling past the body's 'close'
          app.addHook('onError', async (_request, _reply, error) => {
            await new Promise((resolve) => setTimeout(resolve, 20))
            seen.push(error.name)
          })
          await app.register(gatewayPlugin, { target: up.url, timeout })
        })
        const { raw, closedBy } = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
        expect(closedBy).not.toBe('timeout')
        // nothing had been written: the client gets no response at all, never a status with the upstream's headers
        expect(raw.toString('latin1')).toBe('')
        expect(seen).toEqual(['GatewayError'])
      },
    )

    it('the client leaving before the first body byte aborts the upstream request', async () => {
      const up = await upstream()
      const { port } = await start((app) => app.register(gatewayPlugin, { target: up.url }))
      const { closedBy } = await rawRequest(port, 'GET /stall-mid-body?bytes=0 HTTP/1.1\r\nHost: x\r\n\r\n', {
        timeoutMs: 300,
      })
      expect(closedBy).toBe('timeout')
      await up.waitForAborted(1, 2000)
    })

    it('an onSend hook that fails -> the app error handler answers and the upstream request is released', async () => {
      const up = await upstream()
      const { url } = await start(async (app) => {
        app.addHook('onSend', async () => {
          throw new Error('bug in a hook')
        })
        await app.register(gatewayPlugin, { target: up.url })
      })
      const res = await send(`${url}/stall-mid-body`)
      expect(res.status).toBe(500)
      await up.waitForAborted(1, 2000)
    })

    it('a header value Node refuses from rewriteResponseHeaders -> 500 (not the upstream status), upstream released', async () => {
      const up = await upstream()
      const { url } = await start(async (app) => {
        // with an onSend hook Fastify writes the headers later, outside the adapter's reach
        app.addHook('onSend', async (_request, _reply, payload) => payload)
        await app.register(gatewayPlugin, {
          target: up.url,
          rewriteResponseHeaders: (headers) => ({ ...headers, 'x-bad': 'line\r\nbreak' }),
        })
      })
      const res = await send(`${url}/status/404`)
      expect(res.status).toBe(500)
      expect(res.headers['x-upstream']).toBeUndefined()
      expect((await send(`${url}/stall-mid-body`)).status).toBe(500)
      await up.waitForAborted(1, 2000)
    })
  })
})

describe('fastify plugin closing', () => {
  it("app.close() with an upstream call outlasting Fastify's pluginTimeout resolves: the gateway aborts the call (503) before Fastify would fail its close hook, and setup warned of the shorter grace", async () => {
    const up = await upstream()
    const warned = nextWarning('GATEWAY_FASTIFY_GRACE_SHORTENED')
    // a grace period longer than the hook's time: Fastify would reject app.close() at 1 s
    const app = Fastify({ pluginTimeout: 1000 })
    await app.register(gatewayPlugin, { target: up.url, gracePeriod: 5000, retry: false })
    await app.ready()
    await warned
    const started = await listen(app.server, () => app.close())
    onTestFinished(() => started.close())
    const answer = send(`${started.url}/hang`)
    await waitFor(() => up.hits('/hang') === 1)
    await expect(app.close()).resolves.toBeUndefined()
    expect((await answer).status).toBe(503)
    await up.waitForAborted(1, 2000)
  })
})

describe('fastify guard mode', () => {
  it('guards the routes declared after it, not those before it', async () => {
    const target = await refusedUrl()
    const started = await start(async (app) => {
      app.get('/before', async () => fetch(target))
      await app.register(gatewayPlugin, {})
      app.get('/after', async () => fetch(target))
    })
    const before = await send(`${started.url}/before`)
    expect(before.headers['proxy-status']).toBeUndefined()
    const after = await send(`${started.url}/after`)
    expect(after.status).toBe(502)
    expect(after.headers['proxy-status']).toBe('gateway-middleware; error=connection_refused')
  })

  it('guards the routes of child contexts, and survives the user’s own error handler', async () => {
    const target = await refusedUrl()
    const started = await start(async (app) => {
      await app.register(gatewayPlugin, {})
      app.setErrorHandler((error, _request, reply) => {
        reply.code(500).send({ mine: true, message: (error as Error).message })
      })
      await app.register(async (child) => {
        child.get('/child', async (request) => request.gateway.request(target))
        child.get('/bug', async () => {
          throw new TypeError('bug')
        })
      })
    })
    const res = await send(`${started.url}/child`)
    expect(res.status).toBe(502)
    expect(res.headers['proxy-status']).toBe('gateway-middleware; error=connection_refused')
    const bug = await send(`${started.url}/bug`)
    expect(bug.status).toBe(500)
    expect(JSON.parse(bug.text)).toMatchObject({ mine: true })
  })

  it('a callback-style handler keeps working under the guard', async () => {
    const up = await upstream()
    const started = await start(async (app) => {
      await app.register(gatewayPlugin, {})
      app.get('/cb', (request, reply) => {
        request.gateway.request(`${up.url}/ok`).then(
          async ({ body }) => reply.send({ text: await body.text() }),
          (error: unknown) => reply.send(error),
        )
      })
    })
    const res = await send(`${started.url}/cb`)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ text: 'ok' })
  })
})
