import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { expectedDownloadSha256, type RecordedRequest } from '../helpers/faultUpstream.js'
import { type BuildApp, gateway, upstream } from './harness.js'

const MB = 1024 * 1024
/** Large enough that buffering it would show, beyond the few tens of MB of garbage GC leaves behind. */
const LARGE = 256 * MB
/** Peak RSS growth allowed while LARGE bytes pass (the test process also runs the upstream and client). */
const MAX_RSS_GROWTH = LARGE / 2

/** Bodies stream both ways with backpressure, intact, without being buffered. */
export function streamingContract(build: BuildApp): void {
  describe('streaming', () => {
    it('a 256 MB download passes intact without memory growing by the body size', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const peak = trackPeakRss()
      const { status, sha256, bytes } = await download(`${app.url}/download?bytes=${LARGE}`)
      const growth = peak.stop()
      expect(status).toBe(200)
      expect(bytes).toBe(LARGE)
      expect(sha256).toBe(expectedDownloadSha256(LARGE))
      expect(growth).toBeLessThan(MAX_RSS_GROWTH)
    })

    it('a 256 MB POST passes intact without memory growing by the body size', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const peak = trackPeakRss()
      const chunk = Buffer.alloc(MB, 7)
      const expected = createHash('sha256')
      for (let i = 0; i < LARGE / MB; i++) expected.update(chunk)
      const seen = await new Promise<RecordedRequest>((resolve, reject) => {
        const req = httpRequest(`${app.url}/echo`, { method: 'POST', agent: false }, (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (part: string) => {
            text += part
          })
          res.on('end', () => resolve(JSON.parse(text) as RecordedRequest))
        })
        req.on('error', reject)
        let sent = 0
        const pump = (): void => {
          while (sent < LARGE / MB) {
            sent++
            if (!req.write(chunk)) return void req.once('drain', pump)
          }
          req.end()
        }
        pump()
      })
      const growth = peak.stop()
      expect(seen.bodyLength).toBe(LARGE)
      expect(seen.bodySha256).toBe(expected.digest('hex'))
      expect(growth).toBeLessThan(MAX_RSS_GROWTH)
    })

    it('a client that disconnects mid-download: the upstream is aborted and the gateway keeps serving', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${app.url}/download?bytes=${64 * MB}`, { agent: false }, (res) => {
          res.once('data', () => {
            req.destroy()
            resolve()
          })
        })
        req.on('error', () => {})
        req.on('close', resolve)
        setTimeout(() => reject(new Error('no body byte in time')), 5000).unref()
        req.end()
      })
      await up.waitForAborted(1, 3000)
      const again = await download(`${app.url}/download?bytes=1000`)
      expect(again.status).toBe(200)
      expect(again.bytes).toBe(1000)
    })

    it('a client that stops reading for longer than timeout.idle still gets the whole body', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { idle: 300 } })
      const size = 16 * MB
      const { status, sha256, bytes } = await download(`${app.url}/download?bytes=${size}`, 1500)
      expect(status).toBe(200)
      expect(bytes).toBe(size)
      expect(sha256).toBe(expectedDownloadSha256(size))
    })
  })
}

/** Download and hash a body; optionally stop reading for `pauseMs` after the first chunk. */
function download(url: string, pauseMs = 0): Promise<{ status: number; sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (res) => {
      const hash = createHash('sha256')
      let bytes = 0
      let paused = pauseMs === 0
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        bytes += chunk.length
        if (!paused) {
          paused = true
          res.pause()
          setTimeout(() => res.resume(), pauseMs)
        }
      })
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex'), bytes }))
    })
      .on('error', reject)
      .end()
  })
}

/** Sample RSS every 20 ms; `stop()` returns the peak growth over the starting value. */
function trackPeakRss(): { stop(): number } {
  const start = process.memoryUsage.rss()
  let peak = start
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss()) - start
    },
  }
}
