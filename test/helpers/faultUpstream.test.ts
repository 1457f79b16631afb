import { createHash } from 'node:crypto'
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { afterEach, describe, expect, it } from 'vitest'
import { expectedDownloadSha256, type FaultUpstream, refusedUrl, startFaultUpstream } from './faultUpstream.js'
import { parseRawResponse, rawRequest } from './rawRequest.js'
import { fixture } from './tls.js'

const started: FaultUpstream[] = []

async function upstream(options?: Parameters<typeof startFaultUpstream>[0]): Promise<FaultUpstream> {
  const server = await startFaultUpstream(options)
  started.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()))
})

interface Reply {
  status: number
  headers: IncomingMessage['headers']
  body: Buffer
}

/** One request over node:http(s) without connection pooling; rejects with the socket/parser error. */
function send(url: string, options: RequestOptions & { ca?: Buffer } = {}, body?: Buffer): Promise<Reply> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function rawGet(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: upstream\r\nConnection: close\r\n\r\n`
}

describe('startFaultUpstream', () => {
  it('answers /ok with a plain-text ok over a real socket', async () => {
    const server = await upstream()
    const res = await fetch(`${server.url}/ok`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toBe('ok')
    expect(server.hits('/ok')).toBe(1)
  })

  it('echoes the raw request-target and the hash of the received body', async () => {
    const server = await upstream()
    const body = Buffer.from('hello upstream')
    // `path` is sent as given; a URL string would have its dot segments normalised by the client
    const res = await send(server.url, { method: 'POST', path: '/echo/a%2Fb/../c?x=1&x=2' }, body)
    const echoed = JSON.parse(res.body.toString()) as Record<string, unknown>
    expect(echoed).toMatchObject({
      method: 'POST',
      url: '/echo/a%2Fb/../c?x=1&x=2',
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      httpVersion: '1.1',
    })
    expect(server.requests).toHaveLength(1)
    expect(server.hits('/echo/a%2Fb/../c')).toBe(1)
  })

  it('answers /status/<code> with that status and the x-upstream marker', async () => {
    const server = await upstream()
    const res = await send(`${server.url}/status/503`)
    expect(res.status).toBe(503)
    expect(res.headers['x-upstream']).toBe('yes')
    expect(res.body.toString()).toBe('upstream says 503')
  })

  it('resets the connection on /reset before any response byte', async () => {
    const server = await upstream()
    await expect(send(`${server.url}/reset`)).rejects.toMatchObject({ code: 'ECONNRESET' })
    const { raw, closedBy } = await rawRequest(server.port, rawGet('/reset'))
    expect(closedBy).toBe('reset')
    expect(raw).toHaveLength(0)
  })

  it('sends bytes node:http cannot parse on /garbage', async () => {
    const server = await upstream()
    await expect(send(`${server.url}/garbage`)).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_/) })
  })

  it('streams /download bytes whose hash matches expectedDownloadSha256', async () => {
    const server = await upstream()
    const bytes = 3 * 1024 * 1024 + 7
    const res = await send(`${server.url}/download?bytes=${bytes}`)
    expect(res.headers['content-length']).toBe(String(bytes))
    expect(res.body).toHaveLength(bytes)
    expect(createHash('sha256').update(res.body).digest('hex')).toBe(expectedDownloadSha256(bytes))
  })

  it('cuts /chunked-cut with a FIN before the 0-chunk, which parseRawResponse reports as incomplete', async () => {
    const server = await upstream()
    const { raw, closedBy } = await rawRequest(server.port, rawGet('/chunked-cut'))
    expect(closedBy).toBe('end')
    const res = parseRawResponse(raw)
    expect(res.status).toBe(200)
    expect(res.headers['transfer-encoding']).toBe('chunked')
    expect(res.body.length).toBeGreaterThan(0)
    expect(res.complete).toBe(false)
  })

  it('sends the announced bytes of /reset-mid-body, then an RST', async () => {
    const server = await upstream()
    const { raw, closedBy } = await rawRequest(server.port, rawGet('/reset-mid-body?bytes=2500'))
    expect(closedBy).toBe('reset')
    const res = parseRawResponse(raw)
    expect(res.headers['content-length']).toBe('100000')
    expect(res.body).toHaveLength(2500)
    expect(res.complete).toBe(false)
  })

  it('sends a complete chunked /trickle that parseRawResponse reports as complete', async () => {
    const server = await upstream()
    const { raw, closedBy } = await rawRequest(server.port, rawGet('/trickle?chunks=3&interval=5&size=10'))
    expect(closedBy).toBe('end')
    expect(parseRawResponse(raw)).toMatchObject({ status: 200, complete: true })
    expect(parseRawResponse(raw).body).toHaveLength(30)
  })

  it('counts a /hang request the client abandons as aborted', async () => {
    const server = await upstream()
    const req = httpRequest(`${server.url}/hang`, { agent: false })
    req.on('error', () => {})
    req.end()
    await expect.poll(() => server.hits('/hang')).toBe(1)
    expect(server.abortedRequests()).toBe(0)
    req.destroy()
    await server.waitForAborted(1)
    expect(server.abortedRequests()).toBe(1)
  })

  it('does not count its own faults or close() as peer aborts', async () => {
    const server = await upstream()
    await expect(send(`${server.url}/close`)).rejects.toMatchObject({ code: 'ECONNRESET' })
    const failure = send(`${server.url}/hang`).catch((error: unknown) => error)
    await expect.poll(() => server.hits('/hang')).toBe(1)
    await server.close()
    expect(await failure).toMatchObject({ code: 'ECONNRESET' })
    expect(server.abortedRequests()).toBe(0)
  })

  it('destroys every open socket on close(), leaving openSockets() at 0', async () => {
    const server = await upstream()
    const failure = send(`${server.url}/hang`).catch((error: unknown) => error)
    await expect.poll(() => server.openSockets()).toBe(1)
    await server.close()
    expect(server.openSockets()).toBe(0)
    expect(await failure).toMatchObject({ code: 'ECONNRESET' })
    await server.close() // idempotent
  })

  it('serves https with the CA-signed fixture certificate', async () => {
    const server = await upstream({ tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') } })
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const res = await send(`${server.url}/ok`, { ca: fixture('ca.pem') })
    expect(res.status).toBe(200)
    await expect(send(`${server.url}/ok`)).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
  })
})

describe('refusedUrl', () => {
  it('returns a loopback URL whose connections are refused', async () => {
    const url = await refusedUrl()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await expect(send(`${url}/ok`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
