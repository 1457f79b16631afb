import { createServer, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net'
import { Server as SocketIoServer } from 'socket.io'
import { io as ioClient } from 'socket.io-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, expectNoLeak, gateway } from './harness.js'

/** A `ws` server on 127.0.0.1 that echoes every message, and what it saw; closed by the test. */
async function echoServer() {
  const seen = { paths: [] as string[], headers: [] as IncomingMessage['headers'][], open: 0 }
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 8 * 1024 * 1024 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  server.on('connection', (socket, req) => {
    seen.paths.push(req.url ?? '')
    seen.headers.push(req.headers)
    seen.open++
    socket.on('message', (data, binary) => socket.send(data, { binary }))
    socket.on('close', () => {
      seen.open--
    })
  })
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate()
        server.close(() => resolve())
      }),
  )
  const { port } = server.address() as AddressInfo
  return { server, seen, url: `http://127.0.0.1:${port}` }
}

/** Open a WebSocket to the gateway; resolves when open, rejects with the HTTP answer when refused. */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers })
    socket.once('open', () => resolve(socket))
    socket.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => reject(new HandshakeRefused(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))))
    })
    socket.once('error', reject)
    onTestFinished(() => socket.terminate())
  })
}

class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly headers: IncomingMessage['headers'],
    readonly body: Buffer,
  ) {
    super(`handshake refused with ${status}`)
  }
}

function nextMessage(socket: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => socket.once('message', (data, binary) => resolve({ data: data as Buffer, binary })))
}

function refusal(promise: Promise<unknown>): Promise<HandshakeRefused> {
  return promise.then(
    () => {
      throw new Error('the handshake was not refused')
    },
    (error: unknown) => {
      if (error instanceof HandshakeRefused) return error
      throw error
    },
  )
}

const wsUrl = (httpUrl: string, path: string) => `${httpUrl.replace(/^http/, 'ws')}${path}`

/** WebSockets through the proxy: the handshake through the same core as any request, then a relay. */
export function websocketContract(build: BuildApp, framework: { readonly upgradeHook: boolean }): void {
  describe('websockets', () => {
    it('text and binary frames are echoed byte for byte through the gateway', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const socket = await open(wsUrl(app.url, '/chat'))
      socket.send('héllo, wörld')
      const text = await nextMessage(socket)
      expect([text.binary, text.data.toString('utf8')]).toEqual([false, 'héllo, wörld'])
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255])
      socket.send(bytes)
      const binary = await nextMessage(socket)
      expect(binary.binary).toBe(true)
      expect(binary.data.equals(bytes)).toBe(true)
      expect(up.seen.paths).toEqual(['/chat'])
    })

    it('a 1 MiB message crosses whole', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const socket = await open(wsUrl(app.url, '/big'))
      const message = Buffer.alloc(1024 * 1024)
      for (let i = 0; i < message.length; i++) message[i] = i % 251
      socket.send(message)
      const echoed = await nextMessage(socket)
      expect(echoed.data.equals(message)).toBe(true)
    })

    it('the handshake follows the path rules: mount path stripped, target prefix joined, forwarding headers set', async () => {
      const up = await echoServer()
      const app = await gateway(build, '/live', { target: `${up.url}/base` })
      await open(wsUrl(app.url, '/live/room/7?token=x'))
      expect(up.seen.paths).toEqual(['/base/room/7?token=x'])
      const headers = up.seen.headers[0] as IncomingMessage['headers']
      expect(headers['x-forwarded-for']).toBe('127.0.0.1')
      expect(headers.via).toMatch(/gateway-middleware/)
      expect(headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/)
    })

    it('a dot-segment path cannot climb out of the target prefix (WebSocket path traversal)', async () => {
      const up = await echoServer()
      const app = await gateway(build, '/live', { target: `${up.url}/base` })
      // ws would normalise the path: send the handshake raw
      const { port } = new URL(app.url)
      const answer = await rawHandshake(Number(port), '/live/%2e%2e/%2e%2e/admin')
      expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 101 /)
      expect(up.seen.paths[0]?.startsWith('/base/')).toBe(true)
      expect(up.seen.paths[0]).not.toMatch(/\.\.|%2e/i)
    })

    it('refused upstream -> 502 connection_refused before any 101', async () => {
      const app = await gateway(build, '', { target: await refusedUrl(), retry: false })
      const refused = await refusal(open(wsUrl(app.url, '/chat')))
      expect(refused.status).toBe(502)
      expect(refused.headers['proxy-status']).toBe('gateway-middleware; error=connection_refused')
      expectNoLeak(`${JSON.stringify(refused.headers)}\n${refused.body.toString()}`)
    })

    it('a handshake the upstream never answers -> 504 http_response_timeout at timeout.headers', async () => {
      const held: Socket[] = []
      const silent = createNetServer((socket) => {
        held.push(socket)
        socket.on('error', () => {})
      })
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      onTestFinished(() => {
        for (const socket of held) socket.destroy()
        return new Promise<void>((resolve) => silent.close(() => resolve()))
      })
      const { port } = silent.address() as AddressInfo
      const app = await gateway(build, '', { target: `http://127.0.0.1:${port}`, timeout: { headers: 300 } })
      const refused = await refusal(open(wsUrl(app.url, '/chat')))
      expect(refused.status).toBe(504)
      expect(refused.headers['proxy-status']).toBe('gateway-middleware; error=http_response_timeout')
    })

    it('an upstream that refuses to switch (426): the client gets the 426, and what it sends after never reaches the upstream', async () => {
      const received: Buffer[] = []
      const plain = createServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'upgrade' })
        res.end('upgrade elsewhere')
      })
      plain.on('connection', (socket: Socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)))
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
      onTestFinished(() => {
        plain.closeAllConnections()
        return new Promise<void>((resolve) => plain.close(() => resolve()))
      })
      const { port } = plain.address() as AddressInfo
      const app = await gateway(build, '', { target: `http://127.0.0.1:${port}` })
      const client = connect(Number(new URL(app.url).port), '127.0.0.1')
      onTestFinished(() => {
        client.destroy()
      })
      const answer = await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = []
        client.on('data', (chunk: Buffer) => {
          chunks.push(chunk)
          // the client acts as if it had switched: a frame right after the answer
          if (Buffer.concat(chunks).includes('upgrade elsewhere')) client.write('SMUGGLED-FRAME')
        })
        client.on('close', () => resolve(Buffer.concat(chunks)))
        client.on('error', () => {})
        client.write(handshake('/chat'))
      })
      expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 426 /)
      expect(answer.toString('latin1')).toMatch(/\r\nconnection: close\r\n/i)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(Buffer.concat(received).toString('latin1')).not.toContain('SMUGGLED')
    })

    it('an upstream that dies mid-session closes the client', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const socket = await open(wsUrl(app.url, '/chat'))
      const closed = new Promise((resolve) => socket.once('close', resolve))
      for (const client of up.server.clients) client.terminate()
      await closed
    })

    it('a client that closes closes the upstream', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const socket = await open(wsUrl(app.url, '/chat'))
      await waitFor(() => up.seen.open === 1)
      socket.terminate()
      await waitFor(() => up.seen.open === 0)
    })

    it('an app middleware before the gateway that refuses the handshake (401) is obeyed', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url }, { requireAuthorization: 'Bearer ok' })
      const refused = await refusal(open(wsUrl(app.url, '/chat')))
      expect(refused.status).toBe(401)
      expect(up.seen.paths).toEqual([])
      const allowed = await open(wsUrl(app.url, '/chat'), { authorization: 'Bearer ok' })
      allowed.send('hi')
      expect((await nextMessage(allowed)).data.toString()).toBe('hi')
    })

    it('100 sockets opened and closed at once leave no socket open on either side', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const sockets = await Promise.all(Array.from({ length: 100 }, (_, i) => open(wsUrl(app.url, `/s/${i}`))))
      await waitFor(() => up.seen.open === 100)
      for (const socket of sockets) socket.close()
      await waitFor(() => up.seen.open === 0)
      for (let tries = 0; (await connections(app.server)) > 0; tries++) {
        if (tries > 500) throw new Error('the gateway kept client connections open')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })

    it('close() ends upgraded sockets after the grace period', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url, gracePeriod: 100 })
      const socket = await open(wsUrl(app.url, '/chat'))
      const closed = new Promise((resolve) => socket.once('close', resolve))
      await app.closeGateway(100)
      await closed
      await waitFor(() => up.seen.open === 0)
    })

    it('Socket.IO with its default transports (polling, then the upgrade to WebSocket) works through the gateway', async () => {
      const upstreamServer = createServer()
      const io = new SocketIoServer(upstreamServer)
      io.on('connection', (socket) => {
        socket.on('ping', (value: string, ack: (answer: string) => void) => ack(`pong:${value}`))
      })
      await new Promise<void>((resolve) => upstreamServer.listen(0, '127.0.0.1', resolve))
      onTestFinished(() => new Promise<void>((resolve) => io.close(() => resolve())))
      const { port } = upstreamServer.address() as AddressInfo
      const app = await gateway(build, '', { target: `http://127.0.0.1:${port}` })
      const client = ioClient(app.url, { reconnection: false })
      onTestFinished(() => {
        client.close()
      })
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve())
        client.once('connect_error', reject)
      })
      // polling first; the client then upgrades the engine to a WebSocket through the gateway
      await new Promise<void>((resolve) => {
        if (client.io.engine.transport.name === 'websocket') resolve()
        else client.io.engine.once('upgrade', () => resolve())
      })
      expect(client.io.engine.transport.name).toBe('websocket')
      const answer = await client.timeout(5000).emitWithAck('ping', 'over the upgrade')
      expect(answer).toBe('pong:over the upgrade')
    })

    it('an h2c upgrade through the hook is answered as plain HTTP, never with a 101', async () => {
      const up = await echoServer()
      const app = await gateway(build, '', { target: up.url })
      const answer = await rawHandshake(Number(new URL(app.url).port), '/chat', {
        upgrade: 'h2c',
        connection: 'Upgrade, HTTP2-Settings',
        'http2-settings': 'AAMAAABkAAQCAAAAAAIAAAAA',
      })
      expect(answer.toString('latin1')).not.toMatch(/^HTTP\/1\.1 101/)
      expect(up.seen.paths).toEqual([])
    })

    // Fastify needs no hook: the plugin routes upgrades itself
    it.runIf(framework.upgradeHook)(
      'a WebSocket handshake without the upgrade hook -> 501 proxy_configuration_error naming the fix, nothing forwarded',
      async () => {
        const up = await echoServer()
        const app = await gateway(build, '', { target: up.url }, { withoutUpgradeHook: true })
        const refused = await refusal(open(wsUrl(app.url, '/chat')))
        expect(refused.status).toBe(501)
        expect(refused.headers['proxy-status']).toBe('gateway-middleware; error=proxy_configuration_error')
        expect(up.seen.paths).toEqual([])
      },
    )
  })
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, n) => (error ? reject(error) : resolve(n))))
}

/** A WebSocket handshake as raw bytes. */
function handshake(path: string, headers: Record<string, string> = {}): string {
  const fields = {
    host: 'gateway.test',
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'sec-websocket-version': '13',
    ...headers,
  }
  return `GET ${path} HTTP/1.1\r\n${Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`
}

/** Send a raw handshake and collect what comes back within a moment (or until the connection closes). */
function rawHandshake(port: number, path: string, headers?: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve) => {
    const client = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = () => {
      client.destroy()
      resolve(Buffer.concat(chunks))
    }
    const timer = setTimeout(done, 1000)
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (Buffer.concat(chunks).includes('\r\n\r\n')) {
        clearTimeout(timer)
        setTimeout(done, 50)
      }
    })
    client.on('close', () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks))
    })
    client.on('error', () => {})
    client.write(handshake(path, headers))
  })
}
