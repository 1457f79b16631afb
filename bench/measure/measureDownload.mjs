import { request } from 'node:http'
import { watchPeakRss } from './watchPeakRss.mjs'

/**
 * @typedef {object} DownloadResult
 * @property {number} mibPerSecond body bytes per second, in MiB
 * @property {number} seconds
 * @property {number} rssGrowth peak RSS of the serving process during the download minus its RSS just before, bytes
 * @property {number} rssBefore bytes
 * @property {string | undefined} error what went wrong (a short body, a status other than 200, a timeout)
 */

/**
 * Download `url` once with a plain node:http client reading as fast as it can (no agent, one
 * connection), while watching the peak RSS of process `pid` (the proxy, or the upstream when direct).
 *
 * @param {string} url
 * @param {{ bytes: number, pid: number, timeout: number }} options bytes expected; timeout in ms
 * @returns {Promise<DownloadResult>}
 */
export async function measureDownload(url, { bytes, pid, timeout }) {
  const rss = watchPeakRss(pid)
  const started = performance.now()
  let received = 0
  /** @type {string | undefined} */
  let error
  try {
    await new Promise((resolve, reject) => {
      const req = request(url, { agent: false, signal: AbortSignal.timeout(timeout) }, (res) => {
        if (res.statusCode !== 200) error = `status ${res.statusCode}`
        res.on('data', (chunk) => {
          received += chunk.length
        })
        res.on('end', resolve)
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
  } catch (cause) {
    error = /** @type {Error} */ (cause).name === 'AbortError' ? `timed out after ${timeout} ms` : String(cause)
  }
  const seconds = (performance.now() - started) / 1000
  const rssGrowth = rss.stop()
  if (error === undefined && received !== bytes) error = `received ${received} of ${bytes} bytes`
  return { mibPerSecond: received / 2 ** 20 / seconds, seconds, rssGrowth, rssBefore: rss.rssBefore, error }
}
