/**
 * A real, fault-injecting HTTP(S) upstream for gateway tests.
 *
 * It listens on 127.0.0.1 (port 0) and picks a behaviour from the request path: normal answers, echoes,
 * and every way an upstream can fail (resets, clean closes, garbage, malformed or oversized heads,
 * truncated or stalled bodies, slow trickles). Malformed responses are written as raw bytes to the
 * socket, bypassing node:http, so the gateway sees exactly the bytes described.
 */
import { createHash, type Hash } from 'node:crypto'
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, createConnection, type Socket } from 'node:net'

/** What the upstream saw of one request. */
export interface RecordedRequest {
  method: string
  /** the request-target exactly as received */
  url: string
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  /** bytes of body received so far (final once the body ended or the request was aborted) */
  bodyLength: number
  /** hex SHA-256 of the body; '' until the body ended or the request was aborted (then: of what arrived) */
  bodySha256: string
  httpVersion: string
}

/** TLS material for an https upstream. */
export interface FaultUpstreamTlsOptions {
  key: string | Buffer
  cert: string | Buffer
  /** CA(s) that client certificates must chain to; only used with `requestCert` */
  ca?: string | Buffer | Array<string | Buffer>
  /** require a client certificate signed by `ca` (mutual TLS); handshakes without one fail */
  requestCert?: boolean
}

export interface FaultUpstreamOptions {
  /** serve https with this key/cert instead of plain http */
  tls?: FaultUpstreamTlsOptions
}

export interface FaultUpstream {
  /** e.g. 'http://127.0.0.1:43123' (or https:// when tls given) */
  url: string
  port: number
  /** requests whose headers arrived, in order (body fields filled when the body ended; for requests whose body never finished, bodyLength is what arrived so far) */
  requests: RecordedRequest[]
  /** number of requests received per path (pathname without query) */
  hits(path: string): number
  /** sockets currently open on the server */
  openSockets(): number
  /** how many requests were aborted by the peer (gateway) before the upstream finished responding: counts request 'close' events where the response had not finished */
  abortedRequests(): number
  /** requests whose response has neither finished nor closed: upstream work still in flight */
  pendingRequests(): number
  /** resolves when abortedRequests() reaches n (rejects after timeoutMs, default 5000) */
  waitForAborted(n: number, timeoutMs?: number): Promise<void>
  /** destroys every open socket, then closes the server; idempotent */
  close(): Promise<void>
}

/** How long the upstream keeps an idle keep-alive connection open. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000
/** Content-Length announced by the truncated-body scenarios. */
const TRUNCATED_BODY_LENGTH = 100_000
/** Pause between the last body byte and the RST of /reset-mid-body. */
const RESET_DELAY_MS = 20
/** Size of the writes used by /download. */
const DOWNLOAD_CHUNK_SIZE = 64 * 1024
/** /download byte at offset i is `i % DOWNLOAD_PATTERN_PERIOD` (a prime, so chunks are not all identical). */
const DOWNLOAD_PATTERN_PERIOD = 251

/** Starts a fault-injecting upstream on 127.0.0.1 with an ephemeral port. */
export async function startFaultUpstream(options: FaultUpstreamOptions = {}): Promise<FaultUpstream> {
  const requests: RecordedRequest[] = []
  const hitsByPath = new Map<string, number>()
  /** raw TCP sockets (for https, the sockets underneath TLS), keyed by the peer's address and port */
  const tcpSockets = new Map<string, Socket>()
  const abortWaiters = new Set<() => void>()
  let aborted = 0
  let pending = 0
  let closing = false
  let closed: Promise<void> | undefined

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const record = recordRequest(req)
    requests.push(record)
    const { path, query } = splitTarget(record.url)
    hitsByPath.set(path, (hitsByPath.get(path) ?? 0) + 1)

    let terminatedByUpstream = false
    pending++
    res.on('close', () => {
      pending--
      if (res.writableFinished || terminatedByUpstream || closing) return
      aborted++
      for (const check of abortWaiters) check()
    })

    const tcp = tcpSockets.get(peerKey(req.socket)) ?? req.socket
    const exchange: Exchange = {
      req,
      res,
      path,
      query,
      record,
      hit: hitsByPath.get(path) ?? 1,
      bodyReceived: new Promise((resolve) => req.once('end', resolve)),
      sendRaw(bytes) {
        terminatedByUpstream = true
        req.socket.end(bytes)
      },
      endConnection() {
        terminatedByUpstream = true
        req.socket.end()
      },
      resetConnection() {
        terminatedByUpstream = true
        if (!tcp.destroyed) tcp.resetAndDestroy()
      },
    }

    try {
      selectScenario(path)(exchange)
    } catch (error) {
      // A scenario bug must fail the test that hit it, never crash the test process.
      terminatedByUpstream = true
      if (res.headersSent) res.destroy()
      else res.writeHead(500, { 'content-type': 'text/plain' }).end(`fault upstream error: ${String(error)}`)
    }
  }

  const server: Server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.requestCert ? { ca: options.tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        onRequest,
      )
    : createHttpServer(onRequest)
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS

  server.on('connection', (socket: Socket) => {
    const key = peerKey(socket)
    tcpSockets.set(key, socket)
    socket.on('error', ignore)
    socket.on('close', () => tcpSockets.delete(key))
  })
  // TLS sockets wrap the TCP ones; a peer abort must not become an uncaught error.
  server.on('secureConnection', (socket: Socket) => socket.on('error', ignore))

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    hits: (path) => hitsByPath.get(path) ?? 0,
    openSockets: () => tcpSockets.size,
    abortedRequests: () => aborted,
    pendingRequests: () => pending,
    waitForAborted(n, timeoutMs = 5_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (aborted < n) return
          clearTimeout(timer)
          abortWaiters.delete(check)
          resolve()
        }
        const timer = setTimeout(() => {
          abortWaiters.delete(check)
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${n} aborted request(s); saw ${aborted}`))
        }, timeoutMs)
        abortWaiters.add(check)
        check()
      })
    },
    close() {
      closed ??= (async () => {
        closing = true
        const socketsClosed = [...tcpSockets.values()].map(
          (socket) => new Promise((resolve) => socket.once('close', resolve).destroy()),
        )
        // server.close() reports ERR_SERVER_NOT_RUNNING if it was already closed; either way it is closed now.
        const serverClosed = new Promise((resolve) => server.close(resolve))
        await Promise.all([...socketsClosed, serverClosed])
      })()
      return closed
    },
  }
}

/** A URL that refuses connections until `revive` starts a server on it. */
export interface RevivableUrl {
  readonly url: string
  /** Start answering on the URL with this handler (once). */
  revive(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<void>
  close(): Promise<void>
}

/**
 * A URL that refuses until revived, for tests of a target coming back. Not `refusedUrl()`'s shared
 * port: a server started there answers every other test's "refused" request in the meantime (seen:
 * a 200 "back" where another file expected a 502). A port held on 127.0.0.1 for the test, used on
 * 127.0.0.2, where nothing else listens: while it is held no other `listen(0)` gets it, on any
 * address (a wildcard bind would conflict).
 */
export async function revivableUrl(): Promise<RevivableUrl> {
  const holder = createHttpServer((_req, res) => res.end())
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const port = (holder.address() as AddressInfo).port
  let revived: Server | undefined
  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return {
    url: `http://127.0.0.2:${port}`,
    async revive(handler) {
      const server = createHttpServer(handler)
      revived = server
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.2', resolve))
    },
    async close() {
      await Promise.all([closeServer(holder), ...(revived === undefined ? [] : [closeServer(revived)])])
    },
  }
}

/**
 * A loopback URL on which nothing listens: a privileged port (below 1024) that refuses connections.
 * Not a port freed from port 0: the system may hand that very port to the next `listen(0)` (the
 * test's own gateway app, say), and the "refused" target would answer.
 */
export async function refusedUrl(): Promise<string> {
  // from 2: fetch() refuses to even try port 1 (the Fetch standard's "bad ports"; 2–6 are not among them)
  for (let port = 2; port < 7; port++) {
    if (await refuses(port)) return `http://127.0.0.1:${port}`
  }
  throw new Error('refusedUrl: ports 2 to 6 on 127.0.0.1 all accept connections')
}

const refusing = new Map<number, Promise<boolean>>()

/** Whether a connection to the port on 127.0.0.1 is refused (checked once per port and process). */
function refuses(port: number): Promise<boolean> {
  let answer = refusing.get(port)
  if (answer === undefined) {
    answer = new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
    })
    refusing.set(port, answer)
  }
  return answer
}

/** Hex SHA-256 of the body that `/download?bytes=<bytes>` sends. */
export function expectedDownloadSha256(bytes: number): string {
  const hash = createHash('sha256')
  for (let offset = 0; offset < bytes; offset += DOWNLOAD_CHUNK_SIZE) {
    hash.update(downloadChunk(offset, Math.min(DOWNLOAD_CHUNK_SIZE, bytes - offset)))
  }
  return hash.digest('hex')
}

/** One request/response pair as handed to a scenario. */
interface Exchange {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** pathname of the request-target, without query */
  readonly path: string
  readonly query: URLSearchParams
  readonly record: RecordedRequest
  /** how many requests for this path the server has received, this one included */
  readonly hit: number
  /** resolves once the whole request body has arrived (never, if the peer aborts) */
  readonly bodyReceived: Promise<unknown>
  /** writes bytes straight to the socket, bypassing node:http, then closes cleanly (FIN) */
  sendRaw(bytes: string | Buffer): void
  /** closes the connection cleanly (FIN) without writing anything more */
  endConnection(): void
  /** aborts the TCP connection with an RST */
  resetConnection(): void
}

type Scenario = (exchange: Exchange) => void

const SCENARIOS = new Map<string, Scenario>([
  ['/ok', ({ res }) => sendText(res, 200, 'ok')],
  ['/hang', () => {}],
  ['/slow-headers', slowHeaders],
  ['/reset', ({ resetConnection }) => resetConnection()],
  ['/close', ({ endConnection }) => endConnection()],
  ['/garbage', ({ sendRaw }) => sendRaw(GARBAGE)],
  ['/bad-status', ({ sendRaw }) => sendRaw('HTTP/1.1 abc Nope\r\ncontent-length: 0\r\n\r\n')],
  [
    '/bad-header',
    ({ sendRaw }) => sendRaw('HTTP/1.1 200 OK\r\nbad header line without colon\r\ncontent-length: 2\r\n\r\nok'),
  ],
  ['/huge-headers', ({ sendRaw }) => sendRaw(HUGE_HEADERS_RESPONSE)],
  [
    '/conflicting-framing',
    ({ sendRaw }) =>
      sendRaw(
        'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n' +
          '5\r\nhello\r\n0\r\n\r\n',
      ),
  ],
  ['/reset-mid-body', resetMidBody],
  ['/close-mid-body', closeMidBody],
  ['/chunked-cut', chunkedCut],
  ['/stall-mid-body', stallMidBody],
  ['/trickle', trickle],
  ['/download', download],
  ['/redirect', redirect],
  ['/cookies', cookies],
  ['/hop-by-hop', hopByHop],
  ['/flaky', flaky],
])

function selectScenario(path: string): Scenario {
  const exact = SCENARIOS.get(path)
  if (exact) return exact
  if (path === '/echo' || path.startsWith('/echo/')) return echo
  if (path.startsWith('/status/')) return status
  return notFound
}

/**
 * `/flaky?fail=<scenario>&times=N`: the first N requests (default 1) behave like `/<scenario>`
 * (`reset`, `close`, `hang`, `status/503`…), later ones like `/echo`. With `retry-after=S`, a failing
 * `status/…` answer carries `Retry-After: S`. Counts attempts of a retrying client.
 */
function flaky(exchange: Exchange): void {
  const times = intParam(exchange.query, 'times', 1)
  if (exchange.hit > times) {
    echo(exchange)
    return
  }
  const failPath = `/${exchange.query.get('fail') ?? 'reset'}`
  const retryAfter = exchange.query.get('retry-after')
  if (retryAfter !== null) exchange.res.setHeader('retry-after', retryAfter)
  selectScenario(failPath)({ ...exchange, path: failPath })
}

/** `/echo`: reads the whole body, then answers with what was received as JSON. */
function echo({ res, record, bodyReceived }: Exchange): void {
  void bodyReceived.then(() => {
    const body = JSON.stringify(record)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
}

/**
 * `/status/<code>`: that status with `x-upstream: yes` and body `upstream says <code>` (no body for 204/304).
 * Codes below 200 are not a scenario (404): a 1xx cannot be a final response.
 */
function status(exchange: Exchange): void {
  const match = /^\/status\/(\d{3})$/.exec(exchange.path)
  const code = Number(match?.[1])
  if (!match || code < 200) {
    notFound(exchange)
    return
  }
  sendText(exchange.res, code, `upstream says ${code}`, { 'x-upstream': 'yes' })
}

/** `/slow-headers?ms=N`: waits N ms (default 2000) before answering `ok`; gives up if the peer leaves. */
function slowHeaders({ res, query }: Exchange): void {
  const timer = setTimeout(() => sendText(res, 200, 'ok'), intParam(query, 'ms', 2_000))
  res.on('close', () => clearTimeout(timer))
}

/**
 * `/reset-mid-body?bytes=N&length=L`: announces L bytes (default 100000), sends N (default 1000), then RST. The RST follows after
 * a short pause: if it arrived together with the bytes, libuv would report a plain EOF instead of ECONNRESET.
 */
function resetMidBody({ res, query, resetConnection }: Exchange): void {
  const length = intParam(query, 'length', TRUNCATED_BODY_LENGTH)
  const bytes = intParam(query, 'bytes', 1_000, length - 1)
  startTruncatedBody(res, length, bytes, () => {
    const timer = setTimeout(resetConnection, RESET_DELAY_MS)
    res.on('close', () => clearTimeout(timer))
  })
}

/** `/close-mid-body?length=L`: announces L bytes (default 100000), sends 1000 (fewer if L is smaller), then a clean FIN. */
function closeMidBody({ res, query, endConnection }: Exchange): void {
  const length = intParam(query, 'length', TRUNCATED_BODY_LENGTH)
  startTruncatedBody(res, length, Math.min(1_000, length - 1), endConnection)
}

/** `/stall-mid-body?bytes=N&length=L`: announces L bytes (default 100000), sends N (default 1000), then goes silent forever. */
function stallMidBody({ res, query }: Exchange): void {
  const length = intParam(query, 'length', TRUNCATED_BODY_LENGTH)
  startTruncatedBody(res, length, intParam(query, 'bytes', 1_000, length - 1), () => {})
}

/** `/chunked-cut`: a chunked body that ends with a FIN instead of the terminating 0-chunk. */
function chunkedCut({ res, endConnection }: Exchange): void {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.write('first chunk\n')
  res.write('second chunk\n')
  res.write('third chunk\n', (error) => {
    if (!error) endConnection()
  })
}

/**
 * `/trickle?chunks=N&interval=MS&size=S&declared=1`: N chunks (default 10) of S bytes (default 100) every MS ms
 * (default 100); chunked, or with its `Content-Length` when `declared=1`.
 */
function trickle({ res, query }: Exchange): void {
  const chunks = intParam(query, 'chunks', 10)
  const size = intParam(query, 'size', 100)
  const interval = intParam(query, 'interval', 100)
  const head: Record<string, string | number> = { 'content-type': 'application/octet-stream' }
  if (query.get('declared') === '1') head['content-length'] = chunks * size
  res.writeHead(200, head)
  let sent = 0
  const timer = setInterval(() => {
    if (sent < chunks) res.write(downloadChunk(sent * size, size))
    sent++
    if (sent >= chunks) {
      clearInterval(timer)
      res.end()
    }
  }, interval)
  res.on('close', () => clearInterval(timer))
}

/** `/download?bytes=N`: N deterministic bytes (default 1 MiB) in 64 KiB writes, honouring backpressure. */
function download({ req, res, query }: Exchange): void {
  const bytes = intParam(query, 'bytes', 1024 * 1024)
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  void (async () => {
    for (let offset = 0; offset < bytes; offset += DOWNLOAD_CHUNK_SIZE) {
      if (res.destroyed) return
      const chunk = downloadChunk(offset, Math.min(DOWNLOAD_CHUNK_SIZE, bytes - offset))
      if (!res.write(chunk) && !(await drainedOrClosed(res))) return
    }
    res.end()
  })()
}

/** `/redirect?to=<location>`: 302 with `location` and `content-location` both set to `to` (default `/ok`). */
function redirect({ res, query }: Exchange): void {
  const location = query.get('to') ?? '/ok'
  try {
    res.setHeader('location', location)
    res.setHeader('content-location', location)
  } catch {
    // node:http refuses header values with control characters (e.g. CR/LF injection attempts).
    res.removeHeader('location')
    sendText(res, 400, 'invalid redirect target')
    return
  }
  sendText(res, 302, `redirecting to ${location}`)
}

/** `/cookies`: two separate `set-cookie` fields and `content-type: application/json` without charset. */
function cookies({ res }: Exchange): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': 2,
    'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'],
  })
  res.end('{}')
}

/**
 * `/hop-by-hop`: hop-by-hop response fields (including one nominated by `connection`) next to an
 * end-to-end one. node:http sends them as given; `trailer` makes it pick chunked framing (no trailer is sent).
 */
function hopByHop({ req, res }: Exchange): void {
  // A user-set `connection` field makes node:http keep the connection open even if the client asked to close.
  const clientAskedToClose = !res.shouldKeepAlive
  res.writeHead(200, {
    'content-type': 'text/plain',
    connection: 'x-secret-hop',
    'x-secret-hop': '1',
    'keep-alive': 'timeout=5',
    'proxy-authenticate': 'Basic',
    trailer: 'x-t',
    'x-end-to-end': 'kept',
  })
  res.end('ok', () => {
    if (clientAskedToClose) req.socket.end()
  })
}

function notFound({ res }: Exchange): void {
  sendText(res, 404, 'not found')
}

/** Answers with a plain-text body, or with no body (and no content-length) for 204 and 304. */
function sendText(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  if (code === 204 || code === 304) {
    res.writeHead(code, headers).end()
    return
  }
  res.writeHead(code, { ...headers, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** Announces `length` bytes, writes `bytes` of them, then calls `then` once they reached the socket. */
function startTruncatedBody(res: ServerResponse, length: number, bytes: number, then: () => void): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': length })
  res.flushHeaders()
  if (bytes > 0) res.write(downloadChunk(0, bytes))
  // Socket writes complete in order: this callback runs once the head and body bytes were handed to the kernel.
  res.socket?.write(Buffer.alloc(0), (error) => {
    if (!error) then()
  })
}

/** Resolves true on 'drain', false if the response closes first. */
function drainedOrClosed(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => settle(true)
    const onClose = (): void => settle(false)
    const settle = (drained: boolean): void => {
      res.off('drain', onDrain)
      res.off('close', onClose)
      resolve(drained)
    }
    res.on('drain', onDrain)
    res.on('close', onClose)
  })
}

/** Builds the live record of a request; body fields are updated as the body streams in. */
function recordRequest(req: IncomingMessage): RecordedRequest {
  const record: RecordedRequest = {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    bodyLength: 0,
    bodySha256: '',
    httpVersion: req.httpVersion,
  }
  let hash: Hash | undefined = createHash('sha256')
  const finish = (): void => {
    if (!hash) return
    record.bodySha256 = hash.digest('hex')
    hash = undefined
  }
  req.on('data', (chunk: Buffer) => {
    record.bodyLength += chunk.length
    hash?.update(chunk)
  })
  req.once('end', finish)
  req.once('close', finish)
  req.on('error', ignore)
  return record
}

/** Splits a request-target into pathname (undecoded, not normalised) and query. */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  if (!target.startsWith('/')) {
    // absolute-form (`http://host/path?q`) or asterisk-form (`*`)
    try {
      const url = new URL(target)
      return { path: url.pathname, query: url.searchParams }
    } catch {
      return { path: target, query: new URLSearchParams() }
    }
  }
  const queryStart = target.indexOf('?')
  if (queryStart === -1) return { path: target, query: new URLSearchParams() }
  return { path: target.slice(0, queryStart), query: new URLSearchParams(target.slice(queryStart + 1)) }
}

/** Reads a non-negative integer query parameter, falling back to `fallback` when absent or invalid. */
function intParam(query: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = query.get(name)
  if (text === null || !/^\d+$/.test(text)) return fallback
  return Math.min(Number(text), max)
}

/** Bytes [offset, offset + length) of the repeating download pattern (byte i is `i % 251`). */
function downloadChunk(offset: number, length: number): Buffer {
  const start = offset % DOWNLOAD_PATTERN_PERIOD
  if (length <= DOWNLOAD_CHUNK_SIZE) return DOWNLOAD_PATTERN.subarray(start, start + length)
  const chunk = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) chunk[i] = (start + i) % DOWNLOAD_PATTERN_PERIOD
  return chunk
}

const DOWNLOAD_PATTERN = Buffer.from(
  Array.from({ length: DOWNLOAD_CHUNK_SIZE + DOWNLOAD_PATTERN_PERIOD }, (_, i) => i % DOWNLOAD_PATTERN_PERIOD),
)

/** Not HTTP: control bytes, a fake blank line, then fixed pseudo-random bytes (xorshift32, fixed seed). */
const GARBAGE = (() => {
  const noise = Buffer.alloc(256)
  let x = 0x9e3779b9
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    noise[i] = x & 0xff
  }
  return Buffer.concat([Buffer.from('\x00\x01 not http at all\r\n\r\n', 'latin1'), noise])
})()

/** A 200 whose header section is about 64 KiB (1024 `x-filler-N` fields), then a 2-byte body. */
const HUGE_HEADERS_RESPONSE = (() => {
  const filler = 'f'.repeat(48)
  const fields = Array.from({ length: 1024 }, (_, i) => `x-filler-${i}: ${filler}\r\n`).join('')
  return `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${fields}content-length: 2\r\n\r\nok`
})()

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`
}

function ignore(): void {}
