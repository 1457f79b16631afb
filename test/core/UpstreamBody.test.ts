import { createHash } from 'node:crypto'
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Pool } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { TargetState } from '~core/targets/TargetState.js'
import { AttemptRecord } from '~core/upstream/AttemptRecord.js'
import { dispatchOptions } from '~core/upstream/dispatchOptions.js'
import { callUpstream, type UpstreamResponse } from '~core/upstream/UpstreamExchange.js'
import { startFaultUpstream } from '../helpers/faultUpstream.js'

const TIMEOUTS = { connect: 5000, headers: 5000, idle: 5000 }
/** Long enough that the upstream is paused and resumed many times on the way. */
const BYTES = 4 * 1024 * 1024

async function upstream(): Promise<Pool> {
  const up = await startFaultUpstream()
  const pool = new Pool(up.url, { headersTimeout: 0, bodyTimeout: 0 })
  onTestFinished(async () => {
    await pool.close()
    await up.close()
  })
  return pool
}

function call(dispatcher: Pool, path: string): Promise<UpstreamResponse> {
  return callUpstream({
    dispatcher,
    request: dispatchOptions({ origin: undefined, path, method: 'GET', headers: [] }, null),
    timeout: TIMEOUTS,
    deadline: Number.POSITIVE_INFINITY,
    signal: undefined,
    attempt: new AttemptRecord(
      {
        target: { origin: '', basePath: '', url: new URL('http://127.0.0.1') },
        dispatcher,
        circuit: undefined,
        state: new TargetState(),
      },
      1,
      () => {},
    ),
  })
}

/** A front server whose one route hands the upstream's response to `handle`, as an adapter would. */
async function front(handle: (response: UpstreamResponse, res: ServerResponse) => void): Promise<number> {
  const pool = await upstream()
  const server = createServer((req, res) => {
    call(pool, req.url as string).then(
      (response) => handle(response, res),
      () => res.destroy(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as AddressInfo).port
}

/** GET through the front server: the body's length and digest, and whether it was cut. */
function download(port: number, path: string): Promise<{ bytes: number; digest: string; cut: boolean }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res: IncomingMessage) => {
      let bytes = 0
      const hash = createHash('sha256')
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        hash.update(chunk)
      })
      res.on('end', () => resolve({ bytes, digest: hash.digest('hex'), cut: false }))
      res.on('error', () => resolve({ bytes, digest: '', cut: true }))
    }).on('error', reject)
  })
}

describe('UpstreamBody: written straight into a response', () => {
  it('written into a response (sendTo, as the Express adapter does), a long body makes no empty writes: each would be a write syscall of no bytes', async () => {
    const written: number[] = []
    const port = await front((response, res) => {
      res.writeHead(response.statusCode, { 'content-length': String(BYTES) })
      const write = res.write.bind(res) as (chunk: Buffer) => boolean
      res.write = ((chunk: Buffer) => {
        written.push(chunk.length)
        return write(chunk)
      }) as typeof res.write
      response.body.sendTo(res)
    })
    const through = await download(port, `/download?bytes=${BYTES}`)
    expect(through.bytes).toBe(BYTES)
    expect(written.length).toBeGreaterThan(1)
    expect(written.filter((length) => length === 0)).toEqual([])
  })
})
