import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import type { GatewayLogger, ResponseBodyContext } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { scriptedUpstream } from '../helpers/scriptedUpstream.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

const HTML = '<a href="http://internal.example/x">x</a>'
const REWRITTEN = '<a href="https://www.example/x">x</a>'
const rewriteLinks = (body: Buffer) =>
  body.toString('utf8').replaceAll('http://internal.example', 'https://www.example')
/** `rewriteResponseBody.limit` of the tests with a small limit. */
const LIMIT = 64 * 1024

/** A gate an upstream waits at, opened by the test. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/**
 * An upstream answering by path: HTML plain and in each coding, JSON, CSS, look-alike types, a
 * stream of another type and a body over {@link LIMIT} that each wait at `held` before they end,
 * a corrupt gzip body, a zstd one, a gzip bomb, and a 304 for a matching `If-None-Match`.
 */
function bodiesUpstream(held: Promise<void>) {
  return scriptedUpstream((req, res) => {
    const path = (req.url ?? '').split('?')[0]
    const html = (body: Buffer | string, encoding?: string) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        etag: '"v1"',
        'accept-ranges': 'bytes',
        vary: 'accept-encoding',
        'content-length': Buffer.byteLength(body),
        ...(encoding === undefined ? {} : { 'content-encoding': encoding }),
      })
      res.end(body)
    }
    const typed = (type: string) => {
      res.writeHead(200, { 'content-type': type })
      res.end(HTML)
    }
    switch (path) {
      case '/html':
        if (req.headers['if-none-match'] === '"v1"' || req.headers['if-none-match'] === 'W/"v1"') {
          res.writeHead(304, { etag: '"v1"' })
          res.end()
        } else html(HTML)
        return
      case '/gzip':
        return html(gzipSync(HTML), 'gzip')
      case '/br':
        return html(brotliCompressSync(HTML), 'br')
      case '/deflate':
        return html(deflateSync(HTML), 'deflate')
      case '/deflate-raw':
        return html(deflateRawSync(HTML), 'deflate')
      case '/corrupt':
        return html('this is not gzip at all', 'gzip')
      case '/zstd':
        return html(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]), 'zstd')
      case '/bomb':
        return html(gzipSync(Buffer.alloc(4 * LIMIT, 'a')), 'gzip')
      case '/json':
        return typed('application/json')
      case '/css':
        return typed('text/css')
      case '/htmlx':
        return typed('text/htmlx')
      case '/xhtml':
        return typed('application/xhtml+xml')
      case '/big':
      case '/png': {
        res.writeHead(200, { 'content-type': path === '/big' ? 'text/html' : 'image/png' })
        // more than the limit before the gate (chunked), the rest after it
        res.write(Buffer.alloc(LIMIT + 1000, 'b'))
        void held.then(() => res.end('TAIL'))
        return
      }
      default:
        res.writeHead(404)
        res.end()
    }
  })
}

/** A GET that resolves with the head and the first body bytes, and then with the whole body. */
function getStreaming(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; whole: Promise<Buffer> }>((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      const whole = new Promise<Buffer>((done, fail) => {
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          if (chunks.length === 1) resolve({ status: res.statusCode ?? 0, headers: res.headers, whole })
        })
        res.on('end', () => done(Buffer.concat(chunks)))
        res.on('error', fail)
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** A logger that keeps its `warn` records. */
function warnings(): GatewayLogger & { readonly records: Array<{ kind?: string; path?: string }> } {
  const records: Array<{ kind?: string; path?: string }> = []
  const ignore = () => {}
  return { records, warn: (record) => records.push(record), error: ignore, info: ignore, debug: ignore }
}

/** `rewriteResponseBody`: response bodies of listed types collected, decoded and rewritten; all else streams. */
export function rewriteBodyContract(build: BuildApp): void {
  describe('rewriteResponseBody', () => {
    it('a listed type is rewritten: the new body with its own Content-Length, the ETag made weak, no Accept-Ranges; rewrite is told the status, headers and request', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const seen: ResponseBodyContext[] = []
      const app = await gateway(build, '/site', {
        target: up.url,
        rewriteResponseBody: {
          types: ['text/html'],
          async rewrite(body, context) {
            seen.push(context)
            return Buffer.from(rewriteLinks(body))
          },
        },
      })
      const res = await send(`${app.url}/site/html?q=1`, { headers: { 'x-client': 'yes' } })
      expect(res.status).toBe(200)
      expect(res.text).toBe(REWRITTEN)
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(REWRITTEN)))
      expect(res.headers['transfer-encoding']).toBeUndefined()
      expect(res.headers.etag).toBe('W/"v1"')
      expect(res.headers['accept-ranges']).toBeUndefined()
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(res.headers.vary).toBe('accept-encoding')
      expect(seen).toHaveLength(1)
      expect(seen[0]?.status).toBe(200)
      expect(seen[0]?.headers.etag).toBe('"v1"')
      expect(seen[0]?.request.method).toBe('GET')
      expect(seen[0]?.request.url).toBe('/html?q=1')
      expect(seen[0]?.request.headers['x-client']).toBe('yes')
      // the weak tag still revalidates: If-None-Match compares weakly, so the upstream answers 304 (never rewritten)
      const again = await send(`${app.url}/site/html`, { headers: { 'if-none-match': 'W/"v1"' } })
      expect(again.status).toBe(304)
      expect(again.body.length).toBe(0)
      expect(seen).toHaveLength(1)
    })

    it('gzip, deflate (zlib and raw) and br bodies are decoded for rewrite, and sent rewritten without Content-Encoding', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const app = await gateway(build, '', {
        target: up.url,
        rewriteResponseBody: { types: ['text/html'], rewrite: rewriteLinks },
      })
      for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br']) {
        const res = await send(`${app.url}${path}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
        expect(res.status, path).toBe(200)
        expect(res.text, path).toBe(REWRITTEN)
        expect(res.headers['content-encoding'], path).toBeUndefined()
        expect(res.headers['content-length'], path).toBe(String(Buffer.byteLength(REWRITTEN)))
      }
    })

    it('types match exactly, lower-cased and without parameters, or by a type/* wildcard: a type that merely contains a listed one is never rewritten (no substring matching)', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const exact = await gateway(build, '', {
        target: up.url,
        rewriteResponseBody: { types: ['Text/HTML', 'application/json'], rewrite: rewriteLinks },
      })
      const rewritten = async (app: { url: string }, path: string) =>
        (await send(`${app.url}${path}`)).text === REWRITTEN
      expect(await rewritten(exact, '/html')).toBe(true)
      expect(await rewritten(exact, '/json')).toBe(true)
      expect(await rewritten(exact, '/htmlx')).toBe(false)
      expect(await rewritten(exact, '/xhtml')).toBe(false)
      expect(await rewritten(exact, '/css')).toBe(false)
      const wildcard = await gateway(build, '', {
        target: up.url,
        rewriteResponseBody: { types: ['text/*'], rewrite: rewriteLinks },
      })
      expect(await rewritten(wildcard, '/css')).toBe(true)
      expect(await rewritten(wildcard, '/htmlx')).toBe(true)
      expect(await rewritten(wildcard, '/json')).toBe(false)
      expect(await rewritten(wildcard, '/xhtml')).toBe(false)
    })

    it('a body over the limit passes through untouched and still streams (what was collected, then the rest), and the log is told', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const logger = warnings()
      let calls = 0
      const app = await gateway(build, '', {
        target: up.url,
        logger,
        rewriteResponseBody: {
          types: ['text/html'],
          limit: LIMIT,
          rewrite(body) {
            calls++
            return body
          },
        },
      })
      // the head and the first bytes arrive while the upstream still holds the end back
      const res = await getStreaming(`${app.url}/big`)
      expect(res.status).toBe(200)
      held.open()
      const body = await res.whole
      expect(body.length).toBe(LIMIT + 1000 + 4)
      expect(body.subarray(0, LIMIT + 1000).every((byte) => byte === 0x62)).toBe(true)
      expect(body.subarray(LIMIT + 1000).toString()).toBe('TAIL')
      expect(calls).toBe(0)
      expect(logger.records).toEqual([expect.objectContaining({ kind: 'response_body_over_limit', path: '/big' })])
    })

    it('a body that decodes to more than the limit (a gzip bomb) passes through untouched, still encoded', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const logger = warnings()
      const app = await gateway(build, '', {
        target: up.url,
        logger,
        rewriteResponseBody: { types: ['text/html'], limit: LIMIT, rewrite: rewriteLinks },
      })
      const res = await send(`${app.url}/bomb`)
      expect(res.status).toBe(200)
      expect(res.headers['content-encoding']).toBe('gzip')
      expect(res.body.equals(gzipSync(Buffer.alloc(4 * LIMIT, 'a')))).toBe(true)
      expect(logger.records).toEqual([expect.objectContaining({ kind: 'response_body_over_limit' })])
    })

    it('a body in a coding the gateway cannot decode (zstd) passes through untouched, and the log is told', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const logger = warnings()
      const app = await gateway(build, '', {
        target: up.url,
        logger,
        rewriteResponseBody: { types: ['text/html'], rewrite: rewriteLinks },
      })
      const res = await send(`${app.url}/zstd`)
      expect(res.status).toBe(200)
      expect(res.headers['content-encoding']).toBe('zstd')
      expect(res.headers.etag).toBe('"v1"')
      expect(res.body.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]))).toBe(true)
      expect(logger.records).toEqual([expect.objectContaining({ kind: 'response_encoding_unsupported' })])
    })

    it('a corrupt gzip body -> 502 http_protocol_error before anything was sent, told to onError', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      const told: string[] = []
      const app = await gateway(build, '', {
        target: up.url,
        onError: (error) => told.push(error.code),
        rewriteResponseBody: { types: ['text/html'], rewrite: rewriteLinks },
      })
      const res = await send(`${app.url}/corrupt`)
      expect(res.status).toBe(502)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_protocol_error')
      expect(told).toEqual(['http_protocol_error'])
    })

    it('an upstream that fails while the body is collected -> 502 before anything was sent; a client that leaves meanwhile aborts the upstream', async () => {
      const up = await upstream()
      const app = await gateway(build, '', {
        target: up.url,
        retry: false,
        rewriteResponseBody: { types: ['application/octet-stream'], rewrite: (body) => body },
      })
      const reset = await send(`${app.url}/reset-mid-body`)
      expect(reset.status).toBe(502)
      expect(reset.headers['proxy-status']).toMatch(/^gateway-middleware; error=/)
      // the stalled body holds the answer back (nothing can be sent before it is whole): the client gives up
      const req = httpRequest(`${app.url}/stall-mid-body`, { agent: false })
      req.on('error', () => {})
      req.end()
      await new Promise((resolve) => setTimeout(resolve, 200))
      req.destroy()
      // generous: the abort follows the client's close at once
      await up.waitForAborted(1, 3000)
    })

    it("a rewrite that throws or rejects is the app's bug: the framework's 500, not the gateway's page", async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      for (const rewrite of [
        () => {
          throw new Error('rewrite bug')
        },
        () => Promise.reject(new Error('rewrite bug')),
      ]) {
        const app = await gateway(build, '', { target: up.url, rewriteResponseBody: { types: ['text/html'], rewrite } })
        const res = await send(`${app.url}/html`)
        expect(res.status).toBe(500)
        expect(res.headers['proxy-status']).toBeUndefined()
        expect(res.text).not.toContain('internal.example')
      }
    })

    it("an upgrade's HTTP answer (an upstream refusing the WebSocket handshake) is never rewritten", async () => {
      const up = await scriptedUpstream((_req, res) => {
        res.writeHead(403, { 'content-type': 'text/html', 'content-length': HTML.length })
        res.end(HTML)
      })
      let calls = 0
      const app = await gateway(build, '', {
        target: up.url,
        rewriteResponseBody: {
          types: ['text/html'],
          rewrite(body) {
            calls++
            return body
          },
        },
      })
      const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/chat`)
        socket.once('open', () => reject(new Error('the handshake was not refused')))
        socket.once('unexpected-response', (_req, res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
        })
        socket.once('error', () => {})
      })
      expect(refused).toEqual({ status: 403, body: HTML })
      expect(calls).toBe(0)
    })

    it('HEAD is never rewritten, and a type not listed streams through untouched (its first bytes before its end)', async () => {
      const held = gate()
      const up = await bodiesUpstream(held.opened)
      let calls = 0
      const app = await gateway(build, '', {
        target: up.url,
        rewriteResponseBody: {
          types: ['text/html'],
          rewrite(body) {
            calls++
            return body
          },
        },
      })
      const head = await send(`${app.url}/html`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(head.headers['content-length']).toBe(String(HTML.length))
      expect(head.headers.etag).toBe('"v1"')
      const png = await getStreaming(`${app.url}/png`)
      expect(png.status).toBe(200)
      expect(png.headers['content-type']).toBe('image/png')
      held.open()
      expect((await png.whole).length).toBe(LIMIT + 1000 + 4)
      expect(calls).toBe(0)
    })
  })
}
