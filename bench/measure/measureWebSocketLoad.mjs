import { createHistogram } from 'node:perf_hooks'
import { WebSocket } from 'ws'

/** How long the clients may take to open their WebSockets, and to close them after the run, in ms. */
const OPEN_CLOSE_TIMEOUT_MS = 10_000

/**
 * @typedef {object} WebSocketLoadResult
 * @property {number} rps round trips per second, all clients together
 * @property {number} p50 median round-trip latency, ms
 * @property {number} p99 99th percentile round-trip latency, ms
 * @property {number} errors clients that failed to open, sockets that failed or closed before the end,
 *   echoes of another size than the message
 * @property {number} opened clients whose WebSocket opened
 */

/**
 * Ping-pong over `connections` WebSockets at once for `duration` seconds: each client opens one
 * WebSocket to `url` (an echo), then sends `message`, waits for its echo, sends it again, and so on.
 * The clock starts once every client is open; a round trip counts when its echo arrives before the
 * end. Latency is from the send to the echo, in a `perf_hooks` histogram (µs resolution).
 * `clock('start')` is awaited just before the clock starts and `clock('end')` just after it stops,
 * so a caller can read the target's CPU time over the measured window alone, without the
 * handshakes and closes.
 *
 * @param {string} url `ws://…`
 * @param {{ connections: number, duration: number, message: Buffer }} load duration in s
 * @param {(phase: 'start' | 'end') => Promise<unknown>} [clock]
 * @returns {Promise<WebSocketLoadResult>}
 */
export async function measureWebSocketLoad(url, { connections, duration, message }, clock = async () => {}) {
  const latency = createHistogram()
  let errors = 0
  let running = false
  let roundTrips = 0
  const clients = await Promise.all(Array.from({ length: connections }, () => open(url)))
  const sockets = clients.filter((ws) => ws !== undefined)
  errors += connections - sockets.length
  const starts = sockets.map((ws) => {
    let sentAt = 0
    const send = () => {
      sentAt = performance.now()
      ws.send(message, { binary: true })
    }
    ws.on('message', (data) => {
      if (!running) return
      if (/** @type {Buffer} */ (data).length !== message.length) errors++
      latency.record(Math.max(1, Math.round((performance.now() - sentAt) * 1000)))
      roundTrips++
      send()
    })
    ws.once('close', () => {
      if (running) errors++
    })
    ws.on('error', () => {})
    return send
  })
  await clock('start')
  const started = performance.now()
  running = true
  for (const start of starts) start()
  await new Promise((resolve) => setTimeout(resolve, duration * 1000))
  running = false
  const seconds = (performance.now() - started) / 1000
  await clock('end')
  await Promise.all(sockets.map(close))
  return {
    rps: roundTrips / seconds,
    p50: roundTrips === 0 ? Number.NaN : latency.percentile(50) / 1000,
    p99: roundTrips === 0 ? Number.NaN : latency.percentile(99) / 1000,
    errors,
    opened: sockets.length,
  }
}

/**
 * Open one WebSocket (no compression).
 *
 * @param {string} url
 * @returns {Promise<WebSocket | undefined>} undefined when it failed to open in time
 */
function open(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const timer = setTimeout(() => {
      ws.terminate()
      resolve(undefined)
    }, OPEN_CLOSE_TIMEOUT_MS)
    ws.once('open', () => {
      clearTimeout(timer)
      resolve(ws)
    })
    ws.once('error', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
  })
}

/**
 * Close one WebSocket normally, and terminate it if the close does not complete in time.
 *
 * @param {WebSocket} ws
 * @returns {Promise<void>}
 */
function close(ws) {
  if (ws.readyState === ws.CLOSED) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), OPEN_CLOSE_TIMEOUT_MS)
    ws.once('close', () => {
      clearTimeout(timer)
      resolve()
    })
    ws.close(1000)
  })
}
