import { createServer, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, gateway, send } from './harness.js'

/** An upstream on 127.0.0.1 serving with `handler`, closed when the test finishes: its URL. */
async function listening(handler: RequestListener): Promise<string> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Answer `body` after `delayMs`, counting in `seen.cancelled` an answer its client gave up on first. */
function answerAfter(res: ServerResponse, delayMs: number, body: string, seen: { cancelled: number }): void {
  const timer = setTimeout(() => res.end(body), delayMs)
  res.on('close', () => {
    if (!res.writableFinished) {
      clearTimeout(timer)
      seen.cancelled++
    }
  })
}

/** An upstream answering `name` after `delayMs`, counting requests and those its client gave up on. */
async function slowAfter(delayMs: number, name: string) {
  const seen = { count: 0, cancelled: 0 }
  const url = await listening((req, res) => {
    seen.count++
    req.resume()
    answerAfter(res, delayMs, name, seen)
  })
  return { seen, url }
}

/** Hedged requests: a second attempt for the slow tail, the loser cancelled. */
export function hedgeContract(build: BuildApp): void {
  describe('hedged requests', () => {
    it('a GET without headers after hedge.delay is answered by the second attempt, and the first is cancelled', async () => {
      const slow = await slowAfter(5000, 'slow')
      const fast = await slowAfter(0, 'fast')
      // round robin sends the first request to the slow target
      const app = await gateway(build, '', { target: [slow.url, fast.url], hedge: { delay: 100 } })
      const started = performance.now()
      const res = await send(`${app.url}/x`)
      expect(res.status).toBe(200)
      expect(res.text).toBe('fast')
      // far below the slow target's 5 s: the hedge answered, not the first attempt
      expect(performance.now() - started).toBeLessThan(2500)
      await waitFor(() => slow.seen.cancelled === 1)
      expect([slow.seen.count, fast.seen.count]).toEqual([1, 1])
    })

    it('a POST is never hedged (its second copy could change the answer)', async () => {
      const slow = await slowAfter(400, 'slow')
      const fast = await slowAfter(0, 'fast')
      const app = await gateway(build, '', { target: [slow.url, fast.url], hedge: { delay: 50 } })
      const res = await send(`${app.url}/x`, { method: 'POST', body: 'order' })
      expect(res.text).toBe('slow')
      expect([slow.seen.count, fast.seen.count]).toEqual([1, 0])
    })

    it('a request answered before hedge.delay is sent once', async () => {
      const fast = await slowAfter(0, 'fast')
      const other = await slowAfter(0, 'other')
      const app = await gateway(build, '', { target: [fast.url, other.url], hedge: { delay: 1000 } })
      expect((await send(`${app.url}/x`)).text).toBe('fast')
      expect([fast.seen.count, other.seen.count]).toEqual([1, 0])
    })

    it("hedge.delay 'p95': once the target has a recent latency, a slow first attempt is hedged after its p95 and the second answers", async () => {
      // one target answering at once, except the first /slow, which hangs for 5 s
      const seen = { slow: 0, cancelled: 0 }
      const url = await listening((req, res) => {
        req.resume()
        if (req.url !== '/slow' || ++seen.slow > 1) res.end(req.url === '/slow' ? 'hedge' : 'fast')
        else answerAfter(res, 5000, 'first', seen)
      })
      const app = await gateway(build, '', { target: url, hedge: { delay: 'p95' } })
      // before its first 20 answers a target is not hedged: give it a recent latency
      for (let i = 0; i < 20; i++) expect((await send(`${app.url}/fast`)).text).toBe('fast')
      const started = performance.now()
      const res = await send(`${app.url}/slow`)
      expect(res.text).toBe('hedge')
      // far below the first attempt's 5 s: the hedge answered
      expect(performance.now() - started).toBeLessThan(2500)
      await waitFor(() => seen.cancelled === 1)
      expect(seen.slow).toBe(2)
    })
  })
}
