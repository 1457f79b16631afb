import { request as httpRequest } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { Agent, Pool, request as undiciRequest } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classify } from '~core/errors/classify.js'
import { GatewayError, isGatewayError } from '~core/errors/GatewayError.js'
import { type FaultUpstream, refusedUrl, startFaultUpstream } from '../helpers/faultUpstream.js'
import { type H2Upstream, startH2Upstream } from '../helpers/h2Upstream.js'
import { type RawH2Mode, type RawH2Upstream, startRawH2Upstream } from '../helpers/rawH2Upstream.js'
import { fixture } from '../helpers/tls.js'

/** Run `make` and return what it threw: every row's error is captured from a real socket. */
async function captured(make: () => Promise<unknown>): Promise<unknown> {
  try {
    await make()
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

/** A node:http GET that rejects with the socket's error. */
function nodeGet(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
      .on('error', reject)
      .end()
  })
}

/** An undici request whose body is read, so errors after headers surface too. */
async function undiciGet(url: string, options: Parameters<typeof undiciRequest>[1] = {}): Promise<void> {
  const { body } = await undiciRequest(url, options)
  await body.text()
}

describe('classify', () => {
  let up: FaultUpstream
  let tlsUp: FaultUpstream
  let refused: string
  let plainPort: number
  const plain = createNetServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'))

  let h2: H2Upstream
  const rawUpstreams: RawH2Upstream[] = []
  /** A GET over HTTP/2 to the node:http2 upstream, on a pool of its own, its body read. */
  const h2Get = async (path: string) => {
    const pool = new Pool(h2.url, { allowH2: true, connect: { ca: fixture('ca.pem') } })
    try {
      const { body } = await pool.request({ path, method: 'GET' })
      await body.text()
    } finally {
      await pool.destroy()
    }
  }
  /** A GET over HTTP/2 to an upstream that writes frames by hand. */
  const rawH2Get = async (mode: RawH2Mode) => {
    const raw = await startRawH2Upstream(mode)
    rawUpstreams.push(raw)
    const dispatcher = new Agent({ allowH2: true, connect: { ca: fixture('ca.pem') } })
    try {
      await undiciGet(`${raw.url}/`, { dispatcher })
    } finally {
      await dispatcher.destroy()
    }
  }

  beforeAll(async () => {
    h2 = await startH2Upstream()
    up = await startFaultUpstream()
    tlsUp = await startFaultUpstream({ tls: { key: fixture('self-signed-key.pem'), cert: fixture('self-signed.pem') } })
    refused = await refusedUrl()
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    plainPort = (plain.address() as { port: number }).port
  })
  afterAll(async () => {
    await h2.close()
    for (const raw of rawUpstreams) await raw.close()
    await up.close()
    await tlsUp.close()
    plain.close()
  })

  const rows: Array<[string, string, () => Promise<unknown>]> = [
    ['undici: connection refused', 'connection_refused', () => undiciGet(refused)],
    ['undici: name that does not resolve', 'dns_error', () => undiciGet(`http://${'a'.repeat(70)}.invalid/`)],
    ['undici: reset before headers', 'connection_terminated', () => undiciGet(`${up.url}/reset`)],
    ['undici: closed before headers', 'connection_terminated', () => undiciGet(`${up.url}/close`)],
    ['undici: garbage instead of HTTP', 'http_protocol_error', () => undiciGet(`${up.url}/garbage`)],
    ['undici: bad status line', 'http_protocol_error', () => undiciGet(`${up.url}/bad-status`)],
    ['undici: bad header line', 'http_protocol_error', () => undiciGet(`${up.url}/bad-header`)],
    [
      'undici: header section too large',
      'http_response_header_section_size',
      () => undiciGet(`${up.url}/huge-headers`),
    ],
    [
      'undici: no headers within headersTimeout',
      'http_response_timeout',
      () => undiciGet(`${up.url}/hang`, { headersTimeout: 100 }),
    ],
    ['undici: self-signed certificate', 'tls_certificate_error', () => undiciGet(`${tlsUp.url}/ok`)],
    ['undici: https to a plain HTTP server', 'tls_protocol_error', () => undiciGet(`https://127.0.0.1:${plainPort}/`)],
    ['fetch: connection refused (TypeError with a cause)', 'connection_refused', () => fetch(refused)],
    ['fetch: reset before headers', 'connection_terminated', () => fetch(`${up.url}/reset`)],
    [
      'fetch: AbortSignal.timeout deadline (TimeoutError by name)',
      'http_response_timeout',
      () => fetch(`${up.url}/hang`, { signal: AbortSignal.timeout(100) }),
    ],
    ['node:http: connection refused', 'connection_refused', () => nodeGet(refused)],
    ['node:http: reset before headers', 'connection_terminated', () => nodeGet(`${up.url}/reset`)],
    ['node:http: name that does not resolve', 'dns_error', () => nodeGet(`http://${'a'.repeat(70)}.invalid/`)],
    // HTTP/2 (undici 7 over node:http2), against a node:http2 server or one that writes frames by hand
    ['undici h2: RST_STREAM REFUSED_STREAM', 'stream_refused', () => h2Get('/rst/REFUSED_STREAM')],
    ['undici h2: RST_STREAM PROTOCOL_ERROR', 'http_protocol_error', () => h2Get('/rst/PROTOCOL_ERROR')],
    ['undici h2: RST_STREAM FLOW_CONTROL_ERROR', 'http_protocol_error', () => h2Get('/rst/FLOW_CONTROL_ERROR')],
    ['undici h2: RST_STREAM COMPRESSION_ERROR', 'http_protocol_error', () => h2Get('/rst/COMPRESSION_ERROR')],
    ['undici h2: RST_STREAM HTTP_1_1_REQUIRED', 'http_protocol_error', () => h2Get('/rst/HTTP_1_1_REQUIRED')],
    ['undici h2: RST_STREAM INADEQUATE_SECURITY', 'tls_protocol_error', () => h2Get('/rst/INADEQUATE_SECURITY')],
    ['undici h2: RST_STREAM INTERNAL_ERROR', 'connection_terminated', () => h2Get('/rst/INTERNAL_ERROR')],
    ['undici h2: RST_STREAM ENHANCE_YOUR_CALM', 'connection_terminated', () => h2Get('/rst/ENHANCE_YOUR_CALM')],
    ['undici h2: RST_STREAM CANCEL (UND_ERR_INFO)', 'connection_terminated', () => h2Get('/rst/CANCEL')],
    ['undici h2: RST_STREAM NO_ERROR (UND_ERR_INFO)', 'connection_terminated', () => h2Get('/rst/NO_ERROR')],
    ['undici h2: GOAWAY below our stream', 'connection_terminated', () => h2Get('/goaway-below')],
    ['undici h2: GOAWAY covering our stream', 'connection_terminated', () => h2Get('/goaway-ours')],
    ['undici h2: garbage after ALPN chose h2', 'http_protocol_error', () => rawH2Get('garbage')],
  ]

  it.each(rows)('%s -> %s', async (_name, code, make) => {
    const error = await captured(make)
    const failure = classify(error)
    expect(failure?.code).toBe(code)
    expect(failure?.cause).toBe(error)
  })

  it('a failure after response headers is http_response_incomplete, not a protocol error', async () => {
    const error = await captured(() => undiciGet(`${up.url}/close-mid-body`))
    expect(classify(error, { afterHeaders: true })?.code).toBe('http_response_incomplete')
  })

  it.each([
    ['a TypeError from app code', () => Promise.reject(new TypeError('user.name is not a function'))],
    ['a plain Error', () => Promise.reject(new Error('boom'))],
    ['a bare AbortError', () => fetch(`${up.url}/hang`, { signal: AbortSignal.abort() })],
    ['a validation error with a status', () => Promise.reject(Object.assign(new Error('bad input'), { status: 400 }))],
    ['an undici InvalidArgumentError (our bug)', () => undiciGet(`${up.url}/ok`, { headers: { 'bad header': 'x' } })],
  ])('%s is not an upstream failure', async (_name, make) => {
    expect(classify(await captured(make))).toBeUndefined()
  })

  it('returns a GatewayError as it is, and recognises one from another copy by its brand', () => {
    const own = new GatewayError('connection_refused')
    expect(classify(own)).toBe(own)
    expect(isGatewayError(own)).toBe(true)
    const foreign = { [Symbol.for('gateway-middleware.GatewayError')]: true }
    expect(isGatewayError(foreign)).toBe(true)
    expect(isGatewayError(new Error('x'))).toBe(false)
  })

  it('speaks the frameworks dialect and names nothing internal', async () => {
    const failure = classify(await captured(() => undiciGet(refused))) as GatewayError
    expect(failure).toMatchObject({ status: 502, statusCode: 502, expose: false, code: 'connection_refused' })
    expect(failure.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}/)
  })

  it('captures no stack frames (the cause keeps its own) and leaves Error.stackTraceLimit as it was', async () => {
    const limit = Error.stackTraceLimit
    const failure = classify(await captured(() => undiciGet(refused))) as GatewayError
    expect(failure.stack).toBe(`GatewayError: ${failure.message}`)
    expect(failure.stack).not.toContain('\n    at ')
    expect((failure.cause as Error).stack).toContain('\n    at ')
    expect(Error.stackTraceLimit).toBe(limit)
    expect(new Error('app').stack).toContain('\n    at ')
  })
})
