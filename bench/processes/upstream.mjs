// The upstream every target forwards to, in a process of its own: node:http, no framework.
//   GET  /small          a 100-byte JSON body
//   GET  /64k            a 64 KiB body
//   POST /upload         reads the whole body, answers a 100-byte JSON body
//   GET  /stream?bytes=N N bytes (Content-Length), written in 64 KiB chunks with backpressure
import { createServer } from 'node:http'
import { serveChild } from './serveChild.mjs'

const SMALL = Buffer.from(JSON.stringify({ message: 'hello from the upstream', padding: 'x'.repeat(50) }))
const LARGE = Buffer.alloc(64 * 1024, 'gateway-middleware benchmark body ')
const CHUNK = LARGE

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

serveChild(server.listen(0, '127.0.0.1'))
