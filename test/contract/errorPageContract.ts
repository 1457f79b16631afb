import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ErrorPages, FailureContext, GatewayError, GatewayOptions } from '@gateway-middleware/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { neverSettlingPage } from '../helpers/neverSettlingPage.js'
import {
  type BuildApp,
  type BuildGuardApp,
  expectGatewayAnswer,
  expectNoLeak,
  type GuardRoute,
  gateway,
  guardedApp,
  type SeenResponse,
  send,
  upstream,
} from './harness.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

/** The gateway's 502/503/504 pages: negotiated, identified by a request id, customisable, never leaking. */
export function errorPageContract(build: BuildApp): void {
  /** A gateway in front of a refused target: every request is a 502 `connection_refused`. */
  async function refused(options: Partial<GatewayOptions> = {}) {
    const target = await refusedUrl()
    const app = await gateway(build, '', { target, retry: false, ...options })
    return { app, port: Number(new URL(target).port) }
  }

  /** A gateway whose errorPages failures are collected. */
  async function withPages(errorPages: ErrorPages) {
    const reports: Array<{ error: GatewayError; context: FailureContext }> = []
    const { app, port } = await refused({
      errorPages,
      onError: (error, context) => {
        if (context.errorPage !== undefined) reports.push({ error, context })
      },
    })
    return { app, port, reports }
  }

  function problem(res: SeenResponse) {
    return JSON.parse(res.text) as Record<string, unknown>
  }

  describe('error pages', () => {
    it('no Accept -> the self-contained HTML page, with every header', async () => {
      const { app, port } = await refused()
      const res = await send(`${app.url}/x`)
      expectGatewayAnswer(res, 502, 'connection_refused', port)
      expect(res.headers['content-length']).toBe(String(res.body.length))
      expect(res.headers['x-request-id']).toMatch(UUID)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['content-security-policy']).toContain("default-src 'none'")
      expect(res.headers['retry-after']).toBeUndefined()
      expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/)
      expect(res.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
      expect(res.text).toContain('prefers-color-scheme:dark')
      expect(res.text).toContain('<main>')
      expect(res.text).toContain('<h1>Bad Gateway</h1>')
      expect(res.text).toContain('got an invalid response from the service behind it')
      expect(res.text).toContain('not a problem with your browser')
      expect(res.text).toContain(`<code>${res.headers['x-request-id']}</code>`)
      expect(res.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">/)
      // visitor ✓ -> gateway ✓ -> upstream ✗
      expect(res.text.match(/class="(ok|bad|idle)"/g)).toEqual(['class="ok"', 'class="ok"', 'class="bad"'])
      expect(res.text).not.toMatch(/<script|<link rel="stylesheet"|src=|url\(|@import|https?:\/\//i)
    })

    it('a browser Accept and */* get HTML', async () => {
      const { app } = await refused()
      for (const accept of [BROWSER_ACCEPT, '*/*', 'text/*']) {
        const res = await send(`${app.url}/x`, { headers: { accept } })
        expect(res.headers['content-type'], accept).toBe('text/html; charset=utf-8')
      }
    })

    it('Accept: application/json -> RFC 9457 problem details with the request id and the RFC 9209 type', async () => {
      const { app, port } = await refused()
      const res = await send(`${app.url}/x`, { headers: { accept: 'application/json' } })
      expectGatewayAnswer(res, 502, 'connection_refused', port, 'application/json')
      expect(problem(res)).toEqual({
        type: 'about:blank',
        title: 'Bad Gateway',
        status: 502,
        detail: 'The upstream server refused the connection.',
        requestId: res.headers['x-request-id'],
        proxyStatus: 'connection_refused',
      })
    })

    it('Accept: application/problem+json, and any +json type -> application/problem+json', async () => {
      const { app } = await refused()
      for (const accept of [
        'application/problem+json',
        'application/vnd.api+json',
        'application/vnd.x+json, text/html;q=0.5',
      ]) {
        const res = await send(`${app.url}/x`, { headers: { accept } })
        expect(res.headers['content-type'], accept).toBe('application/problem+json; charset=utf-8')
        expect(problem(res).proxyStatus).toBe('connection_refused')
      }
    })

    it('Accept: text/plain -> a text answer', async () => {
      const { app, port } = await refused()
      const res = await send(`${app.url}/x`, { headers: { accept: 'text/plain' } })
      expectGatewayAnswer(res, 502, 'connection_refused', port, 'text/plain')
      expect(res.text).toMatch(/^502 Bad Gateway\n/)
      expect(res.text).toContain(`Request id: ${res.headers['x-request-id']}\n`)
      expect(res.text).toContain('connection_refused')
    })

    it('an Accept naming nothing offered gets the default type, never a 406', async () => {
      const { app } = await refused()
      const res = await send(`${app.url}/x`, { headers: { accept: 'image/png' } })
      expect(res.status).toBe(502)
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    })

    it('errorPages.defaultType sets the answer for no Accept and */*', async () => {
      const { app } = await refused({ errorPages: { defaultType: 'application/problem+json' } })
      for (const headers of [{}, { accept: '*/*' }] as Array<Record<string, string>>) {
        const res = await send(`${app.url}/x`, { headers })
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
      }
      const html = await send(`${app.url}/x`, { headers: { accept: BROWSER_ACCEPT } })
      expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    })

    it('504 page: its own words, and Retry-After when errorPages.timeoutRetryAfter is set', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        timeout: { headers: 200 },
        errorPages: { timeoutRetryAfter: 30 },
      })
      const res = await send(`${app.url}/hang`)
      expectGatewayAnswer(res, 504, 'http_response_timeout', up.port)
      expect(res.headers['retry-after']).toBe('30')
      expect(res.text).toContain('<h1>Gateway Timeout</h1>')
      expect(res.text).toContain('did not get an answer in time')
    })

    it('HEAD -> the headers only', async () => {
      const { app } = await refused()
      const get = await send(`${app.url}/x`)
      const head = await send(`${app.url}/x`, { method: 'HEAD' })
      expect(head.status).toBe(502)
      expect(head.body.length).toBe(0)
      expect(head.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(head.headers['content-length']).toBe(get.headers['content-length'])
      expect(head.headers['x-request-id']).toMatch(UUID)
    })

    it('a safe incoming X-Request-Id is kept on the answer and the page', async () => {
      const { app } = await refused()
      const res = await send(`${app.url}/x`, { headers: { 'x-request-id': 'req-42.a_b:c' } })
      expect(res.headers['x-request-id']).toBe('req-42.a_b:c')
      expect(res.text).toContain('<code>req-42.a_b:c</code>')
    })

    it('an unsafe or overlong X-Request-Id is replaced, never echoed', async () => {
      const { app } = await refused()
      for (const id of ['<script>alert(1)</script>', 'a"onmouseover="x', 'x'.repeat(129), 'two words']) {
        const res = await send(`${app.url}/x`, { headers: { 'x-request-id': id } })
        expect(res.headers['x-request-id'], id).toMatch(UUID)
        expect(res.text).not.toContain(id)
        const json = await send(`${app.url}/x`, { headers: { 'x-request-id': id, accept: 'application/json' } })
        expect(problem(json).requestId).toMatch(UUID)
      }
    })

    it('the request id is forwarded upstream: kept when safe, replaced when not, generated when missing', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const seen = async (headers: Record<string, string>) =>
        JSON.parse((await send(`${app.url}/echo`, { headers })).text).headers['x-request-id'] as string
      expect(await seen({ 'x-request-id': 'trace-1' })).toBe('trace-1')
      expect(await seen({ 'x-request-id': '<b>bold</b>' })).toMatch(UUID)
      expect(await seen({})).toMatch(UUID)
    })

    it('the answer carries the id the upstream saw, so logs on both sides correlate', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { headers: 200 } })
      const res = await send(`${app.url}/hang`)
      expect(res.status).toBe(504)
      expect(res.headers['x-request-id']).toMatch(UUID)
      expect(up.requests[0]?.headers['x-request-id']).toBe(res.headers['x-request-id'])
    })

    it('an upstream’s own 5xx passes through unchanged, custom pages or not', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, errorPages: { 502: '<p>custom</p>' } })
      const res = await send(`${app.url}/status/502`)
      expect(res.status).toBe(502)
      expect(res.text).toBe('upstream says 502')
      expect(res.headers['x-upstream']).toBe('yes')
      expect(res.headers['proxy-status']).toBeUndefined()
    })

    it('errorPages.replaceUpstream: the upstream’s own 503 gets the gateway’s page, its status and Retry-After', async () => {
      const up = await upstream()
      const errors: GatewayError[] = []
      const app = await gateway(build, '', {
        target: up.url,
        retry: false,
        errorPages: { replaceUpstream: [503] },
        onError: (error) => errors.push(error),
      })
      const res = await send(`${app.url}/flaky?fail=status/503&times=100&retry-after=7`, {
        headers: { 'x-request-id': 'up-503' },
      })
      expect(res.status).toBe(503)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; received-status=503')
      expect(res.headers['retry-after']).toBe('7')
      expect(res.headers['x-request-id']).toBe('up-503')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers['x-upstream']).toBeUndefined()
      expect(res.text).not.toContain('upstream says')
      expect(res.text).toContain('<h1>Service Unavailable</h1>')
      expect(res.text).toContain('<code>up-503</code>')
      expect(res.text).not.toContain('Error type')
      const json = await send(`${app.url}/status/503`, { headers: { accept: 'application/json' } })
      expect(json.status).toBe(503)
      expect(problem(json)).toMatchObject({ status: 503, title: 'Service Unavailable', receivedStatus: 503 })
      expect(problem(json)).not.toHaveProperty('proxyStatus')
      expect(json.headers['retry-after']).toBeUndefined()
      const text = await send(`${app.url}/status/503`, { headers: { accept: 'text/plain' } })
      expect(text.text).toMatch(/^503 Service Unavailable\n/)
      expect(text.text).toContain('answered with status 503')
      expect(text.text).not.toContain('Proxy-Status error')
      const head = await send(`${app.url}/status/503`, { method: 'HEAD' })
      expect(head.status).toBe(503)
      expect(head.body.length).toBe(0)
      // statuses not listed pass through, and the upstream’s failures are not the gateway’s errors
      const passed = await send(`${app.url}/status/502`)
      expect(passed.text).toBe('upstream says 502')
      expect(errors).toEqual([])
    })

    it('errorPages.replaceUpstream: custom pages by status apply; a function page gets no error and the status', async () => {
      const up = await upstream()
      const seen: Array<{ error: GatewayError | undefined; status: number }> = []
      const app = await gateway(build, '', {
        target: up.url,
        retry: false,
        errorPages: {
          replaceUpstream: true,
          502: '<p>{{status}} {{title}} [{{code}}]</p>',
          504: (error, request) => {
            seen.push({ error, status: request.status })
            return `<p>fn ${request.status}</p>`
          },
        },
      })
      const bad = await send(`${app.url}/status/502`)
      expect(bad.status).toBe(502)
      expect(bad.text).toBe('<p>502 Bad Gateway []</p>')
      const late = await send(`${app.url}/status/504`)
      expect(late.status).toBe(504)
      expect(late.text).toBe('<p>fn 504</p>')
      expect(seen).toEqual([{ error: undefined, status: 504 }])
      // other statuses are the upstream’s, untouched
      expect((await send(`${app.url}/status/500`)).text).toBe('upstream says 500')
    })

    it('a template page fills in its placeholders, escaped, for HTML clients only', async () => {
      const { app, port } = await refused({
        errorPages: {
          502: '<title>{{status}} {{title}}</title><p>{{ detail }}</p><p id="{{requestId}}">{{code}} {{time}}</p>',
        },
      })
      const res = await send(`${app.url}/x`, { headers: { 'x-request-id': 'abc' } })
      expectGatewayAnswer(res, 502, 'connection_refused', port)
      expect(res.text).toMatch(
        /^<title>502 Bad Gateway<\/title><p>The upstream server refused the connection\.<\/p><p id="abc">connection_refused \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/p>$/,
      )
      expect(res.headers['content-security-policy']).toBeUndefined()
      const json = await send(`${app.url}/x`, { headers: { accept: 'application/json' } })
      expect(problem(json).title).toBe('Bad Gateway')
    })

    it('a { file } page is read once at setup', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gateway-pages-'))
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
      const file = join(dir, '502.html')
      writeFileSync(file, '<h1>Down for a moment</h1><p>{{requestId}}</p>')
      const { app } = await refused({ errorPages: { 502: { file } } })
      writeFileSync(file, '<h1>changed after setup</h1>')
      const res = await send(`${app.url}/x`, { headers: { 'x-request-id': 'f1' } })
      expect(res.text).toBe('<h1>Down for a moment</h1><p>f1</p>')
    })

    it('a failure kind’s page wins over its status’s', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        retry: false,
        errorPages: { 502: '<p>any 502</p>', http_protocol_error: '<p>not HTTP</p>' },
      })
      expect((await send(`${app.url}/garbage`)).text).toBe('<p>not HTTP</p>')
      expect((await send(`${app.url}/reset`)).text).toBe('<p>any 502</p>')
    })

    it('a function page gets the error and the request, and may answer any type', async () => {
      const calls: unknown[] = []
      const { app, reports } = await withPages({
        connection_refused: (error, request) => {
          calls.push({ code: error?.code, ...request })
          if (request.type === 'text/html') return `<p>sync ${request.requestId}</p>`
          return undefined
        },
      })
      const res = await send(`${app.url}/a?b=1`, { headers: { 'x-request-id': 'fn-1' } })
      expect(res.text).toBe('<p>sync fn-1</p>')
      expect(calls[0]).toMatchObject({ code: 'connection_refused', method: 'GET', url: '/a?b=1', requestId: 'fn-1' })
      expect((calls[0] as { time: string }).time).toMatch(/Z$/)
      // undefined keeps the default page
      const text = await send(`${app.url}/x`, { headers: { accept: 'text/plain' } })
      expect(text.text).toMatch(/^502 Bad Gateway\n/)
      expect(reports).toEqual([])
    })

    it('an async function page may answer JSON', async () => {
      const { app } = await withPages({
        502: async (error, request) => ({
          type: 'application/json',
          body: JSON.stringify({ oops: error?.code, id: request.requestId }),
        }),
      })
      const res = await send(`${app.url}/x`, { headers: { accept: 'application/json', 'x-request-id': 'j1' } })
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(JSON.parse(res.text)).toEqual({ oops: 'connection_refused', id: 'j1' })
      expect(res.headers['content-length']).toBe(String(res.body.length))
    })

    for (const [name, page] of [
      [
        'throws',
        () => {
          throw new Error('template bug at /srv/app/pages.js:12:3')
        },
      ],
      ['rejects', async () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:5432'))],
      ['returns something that is not a page', () => 42 as unknown as string],
    ] as const) {
      it(`a function page that ${name} -> the default page, and onError is told`, async () => {
        const { app, port, reports } = await withPages({ 502: page })
        const res = await send(`${app.url}/x`)
        expectGatewayAnswer(res, 502, 'connection_refused', port)
        expect(res.text).toContain('<h1>Bad Gateway</h1>')
        expectNoLeak(res.text)
        expect(res.text).not.toContain('10.0.0.7')
        expect(reports).toHaveLength(1)
        expect(reports[0]?.error.code).toBe('proxy_internal_error')
        expect(reports[0]?.error.cause).toBeInstanceOf(Error)
        expect(reports[0]?.context).toMatchObject({ method: 'GET', path: '/x', errorPage: '502' })
      })
    }

    it('a function page slower than a second -> the default page after about a second, and onError is told', async () => {
      const { app, reports } = await withPages({
        502: () => new Promise((resolve) => setTimeout(() => resolve('<p>too late</p>'), 10_000).unref()),
      })
      const started = performance.now()
      const res = await send(`${app.url}/x`)
      const took = performance.now() - started
      expect(res.status).toBe(502)
      expect(res.text).toContain('<h1>Bad Gateway</h1>')
      expect(res.text).not.toContain('too late')
      // timers never fire early: the page had its whole second
      expect(took).toBeGreaterThan(900)
      // tells the page's second from waiting for the page (10 s); generous: 5× the second
      expect(took).toBeLessThan(5000)
      expect(reports).toHaveLength(1)
      expect(reports[0]?.error.cause).toMatchObject({ name: 'TimeoutError' })
    })
  })
}

/** Guard mode's answers use the same pages: a route's upstream failure, and the deadline's 504. */
export function guardErrorPageContract(build: BuildGuardApp): void {
  /** A guarded app: `/down` calls a refused upstream, `/hang` a hanging one. */
  async function guarded(options: GatewayOptions) {
    const up = await upstream()
    const refused = await refusedUrl()
    return guardedApp(build, options, [
      { path: '/down', handler: (client) => client.request(refused) },
      { path: '/hang', handler: (client) => client.request(`${up.url}/hang`) },
    ])
  }

  /** A guarded app with only `route`, whose deadline's 504 page never settles. */
  async function withNeverSettlingPage(route: GuardRoute) {
    const page = neverSettlingPage()
    return { app: await guardedApp(build, page.options, [route]), ...page }
  }

  describe('guard mode: error pages', () => {
    it('a route’s upstream failure gets the negotiated page and keeps the request id', async () => {
      const app = await guarded({ retry: false })
      const res = await send(`${app.url}/down`, {
        headers: { accept: 'application/problem+json', 'x-request-id': 'g-1' },
      })
      expect(res.status).toBe(502)
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8')
      expect(res.headers['x-request-id']).toBe('g-1')
      expect(JSON.parse(res.text)).toMatchObject({ status: 502, requestId: 'g-1', proxyStatus: 'connection_refused' })
    })

    it('an async custom page answers a route’s upstream failure', async () => {
      const app = await guarded({
        retry: false,
        errorPages: { 502: async (e, r) => `<p>${e?.code} ${r.requestId}</p>` },
      })
      const res = await send(`${app.url}/down`, { headers: { 'x-request-id': 'g-2' } })
      expect(res.status).toBe(502)
      expect(res.text).toBe('<p>connection_refused g-2</p>')
    })

    it('the deadline’s 504 uses the custom page too', async () => {
      const app = await guarded({ timeout: { total: 300 }, errorPages: { 504: async () => '<p>late</p>' } })
      const res = await send(`${app.url}/hang`)
      expect(res.status).toBe(504)
      expect(res.text).toBe('<p>late</p>')
    })

    it('a custom page that never settles at the deadline -> the default 504 page once the page’s second is up, and onError is told once', async () => {
      const { app, told, asked } = await withNeverSettlingPage({ path: '/wait', handler: () => new Promise(() => {}) })
      const started = performance.now()
      const res = await send(`${app.url}/wait`)
      expect(res.status).toBe(504)
      expect(res.text).toContain('<h1>Gateway Timeout</h1>')
      // timers never fire early: the deadline (300 ms) and then the page's whole second passed
      expect(performance.now() - started).toBeGreaterThan(1200)
      expect(told).toEqual([expect.objectContaining({ errorPage: '504', path: '/wait' })])
      expect(asked.pages).toBe(1)
    })

    it('a custom page that never settles at the deadline, the route waiting on its aborted upstream call -> still the default 504 page once the page’s second is up', async () => {
      const up = await upstream()
      const { app, told } = await withNeverSettlingPage({
        path: '/hang',
        handler: (client) => client.request(`${up.url}/hang`),
      })
      const started = performance.now()
      const res = await send(`${app.url}/hang`)
      expect(res.status).toBe(504)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_response_timeout')
      expect(res.text).toContain('<h1>Gateway Timeout</h1>')
      expect(performance.now() - started).toBeGreaterThan(1200)
      // the route's aborted call fails after the deadline answered: its page is not rendered again
      expect(told).toHaveLength(1)
      expect(told[0]).toMatchObject({ errorPage: '504', path: '/hang' })
    })
  })
}
