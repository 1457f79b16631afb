/**
 * A real forward proxy for tests (what an app behind a corporate proxy talks to): a node:http server
 * on 127.0.0.1, port 0, that opens `CONNECT` tunnels and forwards absolute-form requests, or refuses
 * the tunnel with a status of the test's choosing.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { connect as netConnect } from 'node:net'
import { onTestFinished } from 'vitest'

export interface ForwardProxy {
  /** e.g. `http://127.0.0.1:43123` */
  readonly url: string
  readonly port: number
  /** What went through it, in order: `CONNECT host:port`, or `GET http://host:port/path`. */
  readonly seen: string[]
  /** The `Proxy-Authorization` of each request it saw (`undefined` when none). */
  readonly authorizations: Array<string | undefined>
  /** Answer `CONNECT`s and absolute-form requests with this status instead of carrying them (`undefined`: carry). */
  refuseWith: number | undefined
  close(): Promise<void>
}

/** Start a forward proxy that the current test closes when it finishes. */
export async function forwardProxy(): Promise<ForwardProxy> {
  const sockets = new Set<Socket>()
  const seen: string[] = []
  const authorizations: Array<string | undefined> = []
  const server: Server = createServer((req, res) => {
    // absolute-form: GET http://host:port/path HTTP/1.1
    seen.push(`${req.method} ${req.url}`)
    authorizations.push(req.headers['proxy-authorization'])
    const status = proxy.refuseWith
    if (status !== undefined) {
      res.writeHead(status, status === 407 ? { 'proxy-authenticate': 'Basic realm="corp"' } : {})
      res.end('refused')
      return
    }
    const url = new URL(req.url ?? '')
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = httpRequest(url, { method: req.method, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => {
      res.writeHead(502, { 'content-length': '0' })
      res.end()
    })
    req.pipe(upstream)
  })
  const proxy: ForwardProxy = {
    url: '',
    port: 0,
    seen,
    authorizations,
    refuseWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`)
    authorizations.push(req.headers['proxy-authorization'])
    client.on('error', () => client.destroy())
    const status = proxy.refuseWith
    if (status !== undefined) {
      const extra = status === 407 ? 'Proxy-Authenticate: Basic realm="corp"\r\n' : ''
      client.end(`HTTP/1.1 ${status} Refused\r\n${extra}Content-Length: 7\r\nConnection: close\r\n\r\nrefused`)
      return
    }
    const [host, port] = (req.url ?? '').split(':')
    const upstream = netConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  Object.assign(proxy, { url: `http://127.0.0.1:${port}`, port })
  onTestFinished(() => proxy.close())
  return proxy
}
