// The upstream every target forwards to, in a process of its own: node:http, no framework.
//   GET  /small          a 100-byte JSON body
//   GET  /64k            a 64 KiB body
//   POST /upload         reads the whole body, answers a 100-byte JSON body
//   GET  /stream?bytes=N N bytes (Content-Length), written in 64 KiB chunks with backpressure
//   GET  /work           a 100-byte JSON body after 25 ms of "work", at most 8 at a time (capacity 320
//                        req/s); the rest wait in a FIFO without limit and are worked off even after
//                        their client left, as most app servers do
//   GET  /work/queue     `{ working, waiting }` of /work, at once (the overload case waits for 0, 0)
// and WebSockets (`ws`, on the same server, no compression):
//   /ws                    echoes every message back as it came (binary stays binary)
//   /ws/stream?bytes=N     sends N bytes in 64 KiB binary messages with backpressure, then closes (1000)
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { serveChild } from './serveChild.mjs'

const SMALL = Buffer.from(JSON.stringify({ message: 'hello from the upstream', padding: 'x'.repeat(50) }))
const LARGE = Buffer.alloc(64 * 1024, 'gateway-middleware benchmark body ')
const CHUNK = LARGE
/** Requests /work serves at a time. */
const WORK_CONCURRENCY = 8
/** How long one /work request takes, in ms. */
const WORK_SERVICE_MS = 25
/** /work requests being worked on now. */
let working = 0
/** /work requests waiting for a place, oldest first. @type {Array<() => void>} */
const waiting = []
/** Messages of /ws/stream written and not yet flushed to the socket: the backpressure window. */
const WS_STREAM_WINDOW = 16

const server = createServer((req, res) => {
  const query = req.url.indexOf('?')
  const path = query === -1 ? req.url : req.url.slice(0, query)
  if (req.method === 'GET' && path === '/small') return send(res, SMALL)
  if (req.method === 'GET' && path === '/64k') return send(res, LARGE)
  if (req.method === 'POST' && path === '/upload') {
    req.on('data', () => {})
    req.on('end', () => send(res, SMALL))
    return
  }
  if (req.method === 'GET' && path === '/work') return work(res)
  if (req.method === 'GET' && path === '/work/queue') {
    return send(res, Buffer.from(JSON.stringify({ working, waiting: waiting.length })))
  }
  if (req.method === 'GET' && path === '/stream') {
    const bytes = Number(new URLSearchParams(req.url.slice(query + 1)).get('bytes'))
    return stream(res, bytes)
  }
  res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found\n')
})

/** @param {import('node:http').ServerResponse} res @param {Buffer} body */
function send(res, body) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}

/**
 * /work: wait for one of {@link WORK_CONCURRENCY} places (FIFO, no limit), hold it for
 * {@link WORK_SERVICE_MS} ms whether or not the client is still there, then answer if it is.
 *
 * @param {import('node:http').ServerResponse} res
 */
function work(res) {
  const start = () => {
    working++
    setTimeout(() => {
      working--
      waiting.shift()?.()
      if (!res.destroyed) send(res, SMALL)
    }, WORK_SERVICE_MS)
  }
  if (working < WORK_CONCURRENCY) start()
  else waiting.push(start)
}

/** @param {import('node:http').ServerResponse} res @param {number} total */
function stream(res, total) {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total })
  let sent = 0
  const pump = () => {
    while (sent < total && !res.destroyed) {
      const size = Math.min(CHUNK.length, total - sent)
      sent += size
      if (!res.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size))) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

const sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false })
server.on('upgrade', (req, socket, head) => {
  const query = req.url.indexOf('?')
  const path = query === -1 ? req.url : req.url.slice(0, query)
  if (path !== '/ws' && path !== '/ws/stream') {
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
    return
  }
  sockets.handleUpgrade(req, socket, head, (ws) => {
    if (path === '/ws') echo(ws)
    else streamMessages(ws, Number(new URLSearchParams(req.url.slice(query + 1)).get('bytes')))
  })
})

/** @param {import('ws').WebSocket} ws */
function echo(ws) {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }))
}

/**
 * Send `total` bytes in 64 KiB binary messages, at most {@link WS_STREAM_WINDOW} of them not yet
 * flushed to the socket (each `send` callback frees a place), then close normally.
 *
 * @param {import('ws').WebSocket} ws @param {number} total
 */
function streamMessages(ws, total) {
  let sent = 0
  let pending = 0
  const pump = () => {
    while (sent < total && pending < WS_STREAM_WINDOW && ws.readyState === ws.OPEN) {
      const size = Math.min(CHUNK.length, total - sent)
      sent += size
      pending++
      ws.send(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size), { binary: true }, flushed)
    }
    if (sent >= total && pending === 0 && ws.readyState === ws.OPEN) ws.close(1000)
  }
  const flushed = (error) => {
    pending--
    if (error === undefined || error === null) pump()
  }
  pump()
}

serveChild(server.listen(0, '127.0.0.1'))
