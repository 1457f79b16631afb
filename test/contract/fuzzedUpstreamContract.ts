import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type FuzzCase, fuzzCases } from '../helpers/fuzzResponses.js'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { type BuildApp, gateway } from './harness.js'

const SEED = 20261125
const CASES = 2000
const CONCURRENCY = 16

/** A raw upstream that answers `GET /<n>` with fuzz case n, then closes or resets. */
async function fuzzUpstream(cases: readonly FuzzCase[]) {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) return
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      const fuzz = cases[Number(/^\w+ \/(\d+)/.exec(head)?.[1])]
      if (fuzz === undefined) return void socket.destroy()
      socket.write(fuzz.bytes, () => {
        if (fuzz.end === 'reset') socket.resetAndDestroy()
        else socket.end()
      })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

/** Seeded malformed upstream responses: each a 502 or a cut, never a crash, a hang or corrupted bytes. */
export function fuzzedUpstreamContract(build: BuildApp): void {
  describe('fuzzed upstream responses', () => {
    it(`${CASES} seeded malformed responses each end as a 502 or a cut connection: never a crash, a hang or corrupted bytes presented as complete`, async () => {
      const cases = fuzzCases(SEED, CASES)
      const target = await fuzzUpstream(cases)
      const server = await gateway(build, '', { target, timeout: { headers: 2000, idle: 2000 }, circuit: false })

      const counts = new Map<string, number>()
      const problems: string[] = []
      let next = 0
      const worker = async () => {
        while (next < cases.length) {
          const index = next++
          const fuzz = cases[index] as FuzzCase
          const { raw, closedBy } = await rawRequest(
            server.port,
            `GET /${index} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          )
          let outcome: string
          if (closedBy === 'timeout') outcome = 'hang'
          else if (raw.length === 0) {
            // headers go to the client with the first body byte (as nginx does): a body that fails at once
            // leaves a connection closed without a byte, which is a cut, and only possible after valid headers
            const head = fuzz.bytes.toString('latin1')
            outcome = /^HTTP\/1\.1 \d{3} [^\r\n]*\r\n[\s\S]*?\r\n\r\n/.test(head)
              ? 'cut before the first byte'
              : 'cut before headers'
          } else {
            const res = parseRawResponse(raw)
            if (res.status === 502) {
              outcome = /error=/.test(String(res.headers['proxy-status'])) ? '502' : '502 without Proxy-Status'
            } else if (!res.complete) outcome = 'cut after headers'
            else if (fuzz.completeBody !== undefined && !res.body.equals(fuzz.completeBody))
              outcome = 'corrupted as complete'
            else outcome = `complete ${res.status}`
          }
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
          if (/hang|corrupted|without|cut before headers/.test(outcome))
            problems.push(`#${index} ${fuzz.kind}: ${outcome}`)
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      console.log(`fuzz seed ${SEED}: ${[...counts].map(([k, v]) => `${k}: ${v}`).join(', ')}`)
      expect(problems).toEqual([])
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(CASES)
    })
  })
}
