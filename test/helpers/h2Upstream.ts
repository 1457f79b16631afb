/**
 * A real HTTP/2 upstream for gateway tests: a `node:http2` secure server with the test CA's
 * certificate (trust it with `tls: { ca: fixture('ca.pem') }`), also speaking HTTP/1.1 over TLS
 * (`allowHTTP1`) so upgrades and HTTP/1.1 clients reach it. Its behaviour comes from the path:
 *
 * - `/echo`: 200 with what it saw as JSON (`httpVersion`, `headers`, `bodyLength`, `bodySha256`)
 * - `/cookies`: 200 with two `Set-Cookie`
 * - `/rst/<NGHTTP2 code name>`: RST_STREAM with that code before any response (e.g. `/rst/REFUSED_STREAM`)
 * - `/refuse-once`: the first such stream is refused (REFUSED_STREAM, not processed), later ones echo
 * - `/goaway-below`: GOAWAY whose last stream id is below this stream's (not processed), then the session closes
 * - `/goaway-ours`: GOAWAY whose last stream id is this stream's (processed), then the session closes
 * - `/hang`: never answers; `/stall`: headers and 5 bytes, then silence
 * - `/download?bytes=N[&chunked]`: N bytes written under backpressure (`Content-Length` unless `chunked`)
 * - `/trailers?bytes=N[&length]`: N bytes then a trailer field (`Content-Length` when `length`)
 * - `/upload`: reads the body slowly (a pause every 64 KiB), then echoes
 * - an HTTP/1.1 upgrade to `websocket`: `101`, then echoes bytes
 */
import { createHash } from 'node:crypto'
import {
  constants,
  createSecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { fixture } from './tls.js'

/** What the upstream saw of one request. */
export interface H2Seen {
  readonly path: string
  readonly httpVersion: string
  readonly headers: IncomingHttpHeaders
}

export interface H2Upstream {
  /** `https://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Requests received (HTTP/2 streams and HTTP/1.1 requests), in order. */
  readonly seen: H2Seen[]
  /** Requests received on a path (without query). */
  hits(path: string): number
  /** The stream ids of every HTTP/2 stream received, in order. */
  readonly streamIds: number[]
  close(): Promise<void>
}

/** The pattern every body byte follows: byte `i` is `i % 251`, so a lost or reordered chunk shows. */
export function patternBytes(length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) bytes[i] = i % 251
  return bytes
}

/** Hex SHA-256. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export async function startH2Upstream(): Promise<H2Upstream> {
  const seen: H2Seen[] = []
  const streamIds: number[] = []
  const sessions = new Set<Http2Session>()
  const sockets = new Set<Socket>()
  let refusedOnce = false
  const server = createSecureServer({ key: fixture('server-key.pem'), cert: fixture('server.pem'), allowHTTP1: true })
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => {})
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // one handler for both protocols (the compatibility API): an HTTP/2 request has `req.stream`
  server.on('request', (req, res) => {
    const url = new URL(req.url, 'https://upstream')
    seen.push({ path: url.pathname, httpVersion: req.httpVersion, headers: req.headers })
    const stream = req.httpVersion === '2.0' ? req.stream : undefined
    if (stream !== undefined) {
      stream.on('error', () => {})
      streamIds.push(stream.id as number)
    }
    answer(req, res, stream, url)
  })
  server.on('upgrade', (req: Http2ServerRequest, socket: Socket) => {
    seen.push({
      path: new URL(req.url ?? '/', 'https://upstream').pathname,
      httpVersion: req.httpVersion,
      headers: req.headers,
    })
    socket.on('error', () => {})
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
    socket.pipe(socket)
  })

  function answer(
    req: Http2ServerRequest,
    res: Http2ServerResponse,
    stream: ServerHttp2Stream | undefined,
    url: URL,
  ): void {
    const path = url.pathname
    if (stream !== undefined && path.startsWith('/rst/')) {
      const code = (constants as unknown as Record<string, number>)[`NGHTTP2_${path.slice(5)}`]
      stream.close(code)
      return
    }
    if (stream !== undefined && path === '/refuse-once' && !refusedOnce) {
      refusedOnce = true
      stream.close(constants.NGHTTP2_REFUSED_STREAM)
      return
    }
    if (stream !== undefined && (path === '/goaway-below' || path === '/goaway-ours')) {
      const id = stream.id as number
      stream.session?.goaway(constants.NGHTTP2_NO_ERROR, path === '/goaway-ours' ? id : Math.max(0, id - 2))
      setTimeout(() => stream.session?.destroy(), 50)
      return
    }
    if (path === '/hang') return
    if (path === '/cookies') {
      res.writeHead(200, { 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'], 'content-type': 'text/plain' })
      res.end('cookies')
      return
    }
    if (path === '/stall') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('start')
      return
    }
    const bytes = Number(url.searchParams.get('bytes') ?? 0)
    if (path === '/download' || path === '/trailers') {
      const length =
        (path === '/download') !== url.searchParams.has(path === '/download' ? 'chunked' : 'length')
          ? { 'content-length': String(bytes) }
          : {}
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...length })
      if (path === '/trailers') res.addTrailers({ 'x-checksum': 'done' })
      writePattern(res, patternBytes(bytes), () => res.end())
      return
    }
    // /echo, /upload, /refuse-once after its refusal, anything else: read the body, then echo
    const hash = createHash('sha256')
    let length = 0
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk)
      const before = length
      length += chunk.length
      if (path === '/upload' && Math.floor(before / 65536) !== Math.floor(length / 65536)) {
        // a slow reader: the gateway's upload meets backpressure
        req.pause()
        setTimeout(() => req.resume(), 2)
      }
    })
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': `h${req.httpVersion}` })
      res.end(
        JSON.stringify({
          httpVersion: req.httpVersion,
          headers: req.headers,
          bodyLength: length,
          bodySha256: hash.digest('hex'),
        }),
      )
    })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    seen,
    streamIds,
    hits: (path) => seen.filter((request) => request.path === path).length,
    close: async () => {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Write `bytes` in 16 KiB chunks, waiting for `drain` when the buffer is full. */
function writePattern(stream: Http2ServerResponse, bytes: Buffer, done: () => void): void {
  let offset = 0
  const next = (): void => {
    while (offset < bytes.length) {
      const chunk = bytes.subarray(offset, offset + 16384)
      offset += chunk.length
      if (!stream.write(chunk)) {
        stream.once('drain', next)
        return
      }
    }
    done()
  }
  next()
}
