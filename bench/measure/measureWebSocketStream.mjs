import { WebSocket } from 'ws'
import { watchPeakRss } from './watchPeakRss.mjs'

/**
 * Receive one WebSocket stream: open `url` (the upstream's `/ws/stream?bytes=N`, which sends N bytes
 * in binary messages and closes), count the bytes as fast as they come, and watch the peak RSS of
 * process `pid` (the proxy, or the upstream when direct) meanwhile. The clock runs from the open to
 * the last byte.
 *
 * @param {string} url `ws://…`
 * @param {{ bytes: number, pid: number, timeout: number }} options bytes expected; timeout in ms
 * @returns {Promise<import('./measureDownload.mjs').DownloadResult>}
 */
export async function measureWebSocketStream(url, { bytes, pid, timeout }) {
  const rss = watchPeakRss(pid)
  let started = performance.now()
  let finished = 0
  let received = 0
  /** @type {string | undefined} */
  let error
  await new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    const timer = setTimeout(() => {
      error = `timed out after ${timeout} ms`
      ws.terminate()
    }, timeout)
    ws.on('open', () => {
      started = performance.now()
    })
    ws.on('message', (data) => {
      received += /** @type {Buffer} */ (data).length
      if (received >= bytes) finished = performance.now()
    })
    ws.on('unexpected-response', (_req, res) => {
      error = `handshake answered ${res.statusCode}`
      res.resume()
      ws.terminate()
    })
    ws.on('error', (cause) => {
      error ??= String(cause)
    })
    ws.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 1000) error ??= `closed with ${code}`
      resolve(undefined)
    })
  })
  const seconds = ((finished || performance.now()) - started) / 1000
  const rssGrowth = rss.stop()
  if (error === undefined && received !== bytes) error = `received ${received} of ${bytes} bytes`
  return { mibPerSecond: received / 2 ** 20 / seconds, seconds, rssGrowth, rssBefore: rss.rssBefore, error }
}
