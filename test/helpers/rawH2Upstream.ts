/**
 * An HTTP/2 upstream that writes frames by hand, for what `node:http2` will not send: a body cut by
 * RST_STREAM without END_STREAM, a stream cancelled short of its `Content-Length`, garbage after the
 * ALPN said `h2`, or a TLS port that never answers the handshake. It answers the first request
 * stream (id 1) of each connection; its TLS certificate is the test CA's.
 */
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { fixture } from './tls.js'

export type RawH2Mode =
  /** `:status 200`, 7 bytes of DATA, then RST_STREAM(INTERNAL_ERROR) */
  | 'rst-after-data'
  /** `:status 200` with `content-length: 1000000` (over what the gateway buffers), 7 bytes of DATA, then RST_STREAM(CANCEL) */
  | 'cancel-short-of-length'
  /** the same with `content-length: 100` (a body the gateway waits for whole before it answers) */
  | 'cancel-short-of-small-length'
  /** an HTTP/1.1 response on a connection whose ALPN chose h2 */
  | 'garbage'
  /** a TCP port that never starts TLS */
  | 'silent'

export interface RawH2Upstream {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

const FRAME_DATA = 0
const FRAME_HEADERS = 1
const FRAME_RST_STREAM = 3
const FRAME_SETTINGS = 4
const FLAG_ACK = 1
const FLAG_END_HEADERS = 4
const INTERNAL_ERROR = 2
const CANCEL = 8
/** HPACK: `:status: 200`, indexed (static table entry 8). */
const STATUS_200 = Buffer.from([0x88])
/** HPACK: `content-length: <value>`, literal without indexing, name from static table entry 28. */
const contentLength = (value: string) => Buffer.from([0x0f, 0x0d, value.length, ...Buffer.from(value)])
/** The client connection preface (RFC 9113 §3.4). */
const PREFACE_LENGTH = 24

function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(streamId, 5)
  return Buffer.concat([head, payload])
}

function errorCode(code: number): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeUInt32BE(code)
  return payload
}

export async function startRawH2Upstream(mode: RawH2Mode): Promise<RawH2Upstream> {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  }
  let server: Server
  if (mode === 'silent') {
    server = createNetServer(track)
  } else {
    server = createTlsServer(
      { key: fixture('server-key.pem'), cert: fixture('server.pem'), ALPNProtocols: ['h2'] },
      (socket) => {
        track(socket)
        if (mode === 'garbage') {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
          return
        }
        socket.write(frame(FRAME_SETTINGS, 0, 0))
        let pending = Buffer.alloc(0)
        let prefaceSeen = false
        let acked = false
        let answered = false
        socket.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk])
          if (!prefaceSeen) {
            if (pending.length < PREFACE_LENGTH) return
            pending = pending.subarray(PREFACE_LENGTH)
            prefaceSeen = true
          }
          while (pending.length >= 9) {
            const length = pending.readUIntBE(0, 3)
            if (pending.length < 9 + length) return
            const type = pending[3]
            const flags = pending[4] as number
            const streamId = pending.readUInt32BE(5) & 0x7fffffff
            pending = pending.subarray(9 + length)
            if (type === FRAME_SETTINGS && (flags & FLAG_ACK) === 0 && !acked) {
              acked = true
              socket.write(frame(FRAME_SETTINGS, FLAG_ACK, 0))
            }
            if (type === FRAME_HEADERS && !answered) {
              answered = true
              answer(socket, streamId)
            }
          }
        })
      },
    )
  }

  function answer(socket: Socket, streamId: number): void {
    const head =
      mode === 'cancel-short-of-length'
        ? Buffer.concat([STATUS_200, contentLength('1000000')])
        : mode === 'cancel-short-of-small-length'
          ? Buffer.concat([STATUS_200, contentLength('100')])
          : STATUS_200
    socket.write(frame(FRAME_HEADERS, FLAG_END_HEADERS, streamId, head))
    socket.write(frame(FRAME_DATA, 0, streamId, Buffer.from('partial')))
    const code = mode === 'rst-after-data' ? INTERNAL_ERROR : CANCEL
    setTimeout(() => {
      if (!socket.destroyed) socket.write(frame(FRAME_RST_STREAM, 0, streamId, errorCode(code)))
    }, 50)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
