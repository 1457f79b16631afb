import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import type { GatewayOptions } from '@gateway-middleware/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type H2Upstream, patternBytes, sha256, startH2Upstream } from '../helpers/h2Upstream.js'
import { startRawH2Upstream } from '../helpers/rawH2Upstream.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { fixture } from '../helpers/tls.js'
import { waitFor } from '../helpers/waitFor.js'
import {
  type BuildApp,
  type BuildGuardApp,
  expectGatewayAnswer,
  gateway,
  guardedApp,
  type SeenResponse,
  send,
} from './harness.js'

const MiB = 1024 * 1024

/** An HTTP/2 upstream that the current test closes when it finishes. */
async function h2Upstream(): Promise<H2Upstream> {
  const up = await startH2Upstream()
  onTestFinished(() => up.close())
  return up
}

/** `http2: true` to a target signed by the test CA. */
function h2Options(target: string, more: GatewayOptions = {}): GatewayOptions {
  return { target, http2: true, tls: { ca: fixture('ca.pem') }, ...more }
}

/** What `/echo` saw. */
interface Echo {
  httpVersion: string
  headers: Record<string, string>
  bodyLength: number
  bodySha256: string
}

const echoOf = (res: SeenResponse): Echo => JSON.parse(res.text) as Echo

/** HTTP/2 to the upstream: the same answers, failures, retries and header rules as HTTP/1.1. */
export function http2Contract(build: BuildApp, buildGuard: BuildGuardApp): void {
  describe('HTTP/2 upstreams', () => {
    it('http2: true speaks HTTP/2 to an https target; without it, HTTP/1.1', async () => {
      const up = await h2Upstream()
      const h2 = await gateway(build, '', h2Options(up.url))
      const res = await send(`${h2.url}/echo`)
      expect(res.status).toBe(200)
      expect(echoOf(res).httpVersion).toBe('2.0')
      const h1 = await gateway(build, '', { target: up.url, tls: { ca: fixture('ca.pem') } })
      expect(echoOf(await send(`${h1.url}/echo`)).httpVersion).toBe('1.1')
    })

    it('the target becomes :authority, no Host field is sent, and no pseudo-header reaches the client', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const res = await send(`${app.url}/echo`, { headers: { 'x-custom': 'kept' } })
      const seen = echoOf(res).headers
      expect(seen[':authority']).toBe(`127.0.0.1:${up.port}`)
      expect(seen.host).toBeUndefined()
      expect(seen['x-custom']).toBe('kept')
      expect(seen.via).toBe('1.1 gateway-middleware')
      expect(res.rawHeaders.filter((_, i) => i % 2 === 0).some((name) => name.startsWith(':'))).toBe(false)
      expect(res.headers['x-upstream']).toBe('h2.0')
    })

    it('preserveHost sends the client Host as :authority', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { preserveHost: true }))
      // (the client's host is the TLS server name too: the certificate is for localhost)
      const res = await send(`${app.url}/echo`, { headers: { host: `localhost:${up.port}` } })
      expect(res.status).toBe(200)
      expect(echoOf(res).headers[':authority']).toBe(`localhost:${up.port}`)
    })

    it('several Set-Cookie stay several', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const res = await send(`${app.url}/cookies`)
      expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    })

    it('hop-by-hop fields never reach an HTTP/2 upstream, and a crafted field cannot crash the gateway', async () => {
      // HTTP/2 forbids connection-specific fields (RFC 9113 §8.2.2) and Node's client throws on them,
      // and on a single-value field given twice in different case, where undici 7 does not catch it:
      // one such request crashed the process
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const { raw } = await rawRequest(
        app.port,
        'GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive, x-named\r\nKeep-Alive: timeout=5\r\n' +
          'X-Named: dropped\r\nTE: trailers\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n' +
          'Content-Type: text/plain\r\ncontent-type: text/html\r\nAuthorization: a\r\nauthorization: b\r\n' +
          'Connection: close\r\n\r\n',
      )
      const res = parseRawResponse(raw)
      expect(res.status).toBe(200)
      const seen = (JSON.parse(res.body.toString()) as Echo).headers
      for (const name of ['connection', 'keep-alive', 'x-named', 'te', 'http2-settings', 'upgrade']) {
        expect(seen[name]).toBeUndefined()
      }
      // a repeated field reaches the upstream as one, its values joined (HTTP/2 lower-cases names anyway)
      expect(seen['content-type']).toBe('text/plain, text/html')
      // and the gateway is still there
      expect((await send(`${app.url}/echo`)).status).toBe(200)
    })

    it('REFUSED_STREAM is retried even for a POST: the upstream did not process it (RFC 9113 §8.7)', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const res = await send(`${app.url}/refuse-once`, { method: 'POST', body: 'order=1' })
      expect(res.status).toBe(200)
      expect(echoOf(res).bodyLength).toBe(7)
      expect(up.hits('/refuse-once')).toBe(2)
    })

    it('REFUSED_STREAM without retries -> 502 and Proxy-Status connection_terminated', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { retry: false }))
      expectGatewayAnswer(await send(`${app.url}/rst/REFUSED_STREAM`), 502, 'connection_terminated', up.port)
    })

    it.each([
      ['PROTOCOL_ERROR', 'http_protocol_error'],
      ['INTERNAL_ERROR', 'connection_terminated'],
      ['CANCEL', 'connection_terminated'],
      ['ENHANCE_YOUR_CALM', 'connection_terminated'],
      ['FLOW_CONTROL_ERROR', 'http_protocol_error'],
      ['HTTP_1_1_REQUIRED', 'http_protocol_error'],
      ['NO_ERROR', 'connection_terminated'],
    ])('RST_STREAM %s before headers -> 502 %s', async (code, expected) => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { retry: false }))
      expectGatewayAnswer(await send(`${app.url}/rst/${code}`), 502, expected, up.port)
    })

    it('a GOAWAY that leaves our stream out: a GET is retried on a new connection', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      // the first request opens the session, whose second stream gets the GOAWAY
      expect((await send(`${app.url}/echo`)).status).toBe(200)
      const res = await send(`${app.url}/goaway-below`)
      // the retry went to a new session, where the path answers GOAWAY again: both attempts refused
      expectGatewayAnswer(res, 502, 'connection_terminated', up.port)
      expect(up.hits('/goaway-below')).toBe(3)
    })

    it('a GOAWAY is not retried for a POST: undici 7 does not tell whether the stream was processed', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      expect((await send(`${app.url}/echo`)).status).toBe(200)
      expectGatewayAnswer(
        await send(`${app.url}/goaway-ours`, { method: 'POST', body: 'x' }),
        502,
        'connection_terminated',
        up.port,
      )
      expect(up.hits('/goaway-ours')).toBe(1)
    })

    it('garbage instead of HTTP/2 -> 502 http_protocol_error', async () => {
      const raw = await startRawH2Upstream('garbage')
      onTestFinished(() => raw.close())
      const app = await gateway(build, '', h2Options(raw.url, { retry: false }))
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'http_protocol_error', raw.port)
    })

    it('timeout.headers on HTTP/2 -> 504 http_response_timeout', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { timeout: { headers: 200 }, retry: false }))
      expectGatewayAnswer(await send(`${app.url}/hang`), 504, 'http_response_timeout', up.port)
    })

    it('timeout.total on HTTP/2 -> 504 http_response_timeout', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { timeout: { total: 200 }, retry: false }))
      expectGatewayAnswer(await send(`${app.url}/hang`), 504, 'http_response_timeout', up.port)
    })

    it('timeout.connect on HTTP/2 (a TLS handshake that never completes) -> 504 connection_timeout', async () => {
      const raw = await startRawH2Upstream('silent')
      onTestFinished(() => raw.close())
      const app = await gateway(build, '', h2Options(raw.url, { timeout: { connect: 200 }, retry: false }))
      expectGatewayAnswer(await send(`${app.url}/x`), 504, 'connection_timeout', raw.port)
    })

    it('timeout.idle on HTTP/2 cuts the client connection after the headers went out', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { timeout: { idle: 200 } }))
      const outcome = await readToEnd(`${app.url}/stall`)
      expect(outcome.status).toBe(200)
      expect(outcome.body.toString()).toBe('start')
      expect(outcome.ended).toBe('cut')
    })

    it('a 32 MiB download through a slow reader arrives intact', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const bytes = 32 * MiB
      const outcome = await readToEnd(`${app.url}/download?bytes=${bytes}&chunked`, { slow: true })
      expect(outcome.ended).toBe('complete')
      expect(outcome.body.length).toBe(bytes)
      expect(sha256(outcome.body)).toBe(sha256(patternBytes(bytes)))
    })

    it('a 32 MiB upload to a slow HTTP/2 reader arrives intact', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const body = patternBytes(32 * MiB)
      const res = await send(`${app.url}/upload`, { method: 'POST', body })
      expect(res.status).toBe(200)
      expect(echoOf(res).bodyLength).toBe(body.length)
      expect(echoOf(res).bodySha256).toBe(sha256(body))
    })

    it('an HTTP/2 body reset after the headers cuts the client connection', async () => {
      const raw = await startRawH2Upstream('rst-after-data')
      onTestFinished(() => raw.close())
      const app = await gateway(build, '', h2Options(raw.url))
      const outcome = await readToEnd(`${app.url}/x`)
      expect(outcome.status).toBe(200)
      expect(outcome.ended).toBe('cut')
    })

    it('an HTTP/2 body cancelled short of its Content-Length cuts the client connection, and onError is told', async () => {
      // undici 7 reports a stream closed with CANCEL (or NO_ERROR) without END_STREAM as complete:
      // only the Content-Length tells
      const raw = await startRawH2Upstream('cancel-short-of-length')
      onTestFinished(() => raw.close())
      const failures: string[] = []
      const app = await gateway(build, '', h2Options(raw.url, { onError: (error) => failures.push(error.code) }))
      const outcome = await readToEnd(`${app.url}/x`)
      expect(outcome.status).toBe(200)
      expect(outcome.ended).toBe('cut')
      expect(failures).toEqual(['http_response_incomplete'])
    })

    it('a short HTTP/2 body cancelled before its Content-Length, before anything went out -> 502 http_response_incomplete', async () => {
      const raw = await startRawH2Upstream('cancel-short-of-small-length')
      onTestFinished(() => raw.close())
      const app = await gateway(build, '', h2Options(raw.url))
      expectGatewayAnswer(await send(`${app.url}/x`), 502, 'http_response_incomplete', raw.port)
    })

    it('trailers are dropped: the body arrives whole, without the trailer fields', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const outcome = await readToEnd(`${app.url}/trailers?bytes=1000`)
      expect(outcome.status).toBe(200)
      expect(outcome.ended).toBe('complete')
      expect(sha256(outcome.body)).toBe(sha256(patternBytes(1000)))
      expect(outcome.trailers).toEqual({})
    })

    it('a body with trailers and a Content-Length read under backpressure arrives whole, or is cut and onError told', async () => {
      // undici 7 may drop the end of such a body and call it complete (test/core/undiciHttp2Trailers.test.ts)
      const up = await h2Upstream()
      const failures: string[] = []
      const app = await gateway(build, '', h2Options(up.url, { onError: (error) => failures.push(error.code) }))
      // (which of the two happens depends on where backpressure holds the stream when the trailers arrive)
      const bytes = 8 * MiB
      const outcome = await readToEnd(`${app.url}/trailers?bytes=${bytes}&length`, { slow: true, pauseMs: 5 })
      expect(outcome.status).toBe(200)
      if (outcome.ended === 'complete') {
        expect(sha256(outcome.body)).toBe(sha256(patternBytes(bytes)))
      } else {
        expect(outcome.ended).toBe('cut')
        expect(failures).toEqual(['http_response_incomplete'])
      }
    })

    it('WebSocket upgrades go over HTTP/1.1 to an upstream that also speaks HTTP/2', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url))
      const echoed = await websocketEcho(app.port, '/ws', 'ping')
      expect(echoed).toBe('ping')
      expect(up.seen.find((request) => request.path === '/ws')?.httpVersion).toBe('1.1')
    })

    it('health checks probe over HTTP/2', async () => {
      const up = await h2Upstream()
      const app = await gateway(build, '', h2Options(up.url, { healthCheck: { path: '/probe', interval: 50 } }))
      await waitFor(() => up.hits('/probe') >= 2)
      expect(up.seen.find((seen) => seen.path === '/probe')?.httpVersion).toBe('2.0')
      expect(app.health().status).toBe('pass')
    })

    it('guard mode: the app client speaks HTTP/2 to an https origin', async () => {
      const up = await h2Upstream()
      const app = await guardedApp(buildGuard, { http2: true, tls: { ca: fixture('ca.pem') } }, [
        {
          path: '/call',
          handler: async (client) => {
            const res = await client.request(`${up.url}/echo`)
            return { version: (JSON.parse(await res.body.text()) as Echo).httpVersion }
          },
        },
      ])
      const res = await send(`${app.url}/call`)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.text)).toEqual({ version: '2.0' })
    })

    it('guard mode: fields an app passes on that HTTP/2 forbids cannot crash the gateway (request and fetch)', async () => {
      // what an app that hands its request's headers on sends: Connection, Keep-Alive, a repeated field
      const fields = [
        'Connection',
        'keep-alive',
        'Keep-Alive',
        'timeout=5',
        'TE',
        'gzip',
        'Accept',
        'a/b',
        'accept',
        'c/d',
      ]
      const up = await h2Upstream()
      const app = await guardedApp(buildGuard, { http2: true, tls: { ca: fixture('ca.pem') } }, [
        {
          path: '/request',
          handler: async (client) => {
            const res = await client.request(`${up.url}/echo`, { headers: fields })
            return (JSON.parse(await res.body.text()) as Echo).headers
          },
        },
        {
          path: '/fetch',
          handler: async (client) => {
            const res = await client.fetch(`${up.url}/echo`, {
              headers: { connection: 'keep-alive', 'keep-alive': 'timeout=5', te: 'gzip', accept: 'a/b' },
            })
            return ((await res.json()) as Echo).headers
          },
        },
      ])
      for (const path of ['/request', '/fetch']) {
        const res = await send(`${app.url}${path}`)
        expect(res.status).toBe(200)
        const seen = JSON.parse(res.text) as Record<string, string>
        expect(seen.connection).toBeUndefined()
        expect(seen['keep-alive']).toBeUndefined()
        expect(seen.te).toBeUndefined()
        expect(seen.accept).toMatch(/^a\/b/)
      }
    })

    it('guard mode: REFUSED_STREAM inside a route -> 502 connection_terminated', async () => {
      const up = await h2Upstream()
      const app = await guardedApp(buildGuard, { http2: true, tls: { ca: fixture('ca.pem') }, retry: false }, [
        {
          path: '/call',
          handler: async (client) => (await client.request(`${up.url}/rst/REFUSED_STREAM`)).statusCode,
        },
      ])
      expectGatewayAnswer(await send(`${app.url}/call`), 502, 'connection_terminated', up.port)
    })
  })
}

/** How a response body ended: every byte and a clean end, or a cut connection. */
interface ReadOutcome {
  status: number
  body: Buffer
  trailers: Record<string, string | undefined>
  ended: 'complete' | 'cut'
}

/** GET `url` over a fresh connection and read the body to its end; `slow` pauses `pauseMs` every 64 KiB. */
function readToEnd(url: string, { slow = false, pauseMs = 2 } = {}): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      const chunks: Buffer[] = []
      let length = 0
      const outcome = (ended: ReadOutcome['ended']) =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), trailers: { ...res.trailers }, ended })
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        const before = length
        length += chunk.length
        if (slow && Math.floor(before / 65536) !== Math.floor(length / 65536)) {
          res.pause()
          setTimeout(() => res.resume(), pauseMs)
        }
      })
      res.on('end', () => outcome(res.complete ? 'complete' : 'cut'))
      res.on('error', () => outcome('cut'))
      res.on('aborted', () => outcome('cut'))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Open a WebSocket-style upgrade through the gateway and return what the upstream echoed of `message`. */
function websocketEcho(port: number, path: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = Buffer.alloc(0)
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const head = received.indexOf('\r\n\r\n')
      if (head === -1) return
      if (!received.subarray(0, 12).toString().includes('101')) {
        socket.destroy()
        reject(new Error(`no 101: ${received.subarray(0, head).toString()}`))
        return
      }
      const rest = received.subarray(head + 4).toString()
      if (rest.length >= message.length) {
        socket.destroy()
        resolve(rest)
      }
    })
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    )
    socket.once('data', () => socket.write(message))
  })
}
