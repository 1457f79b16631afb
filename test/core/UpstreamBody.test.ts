import { createHash } from 'node:crypto'
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, pipeline } from 'node:stream'
import { Pool } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
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

describe('UpstreamBody: written straight into the response its framework pipes it to', () => {
  it('piped (as Koa and Fastify do) into the response it was told of, the body writes itself there, intact, and the piper sees it end', async () => {
    let dataListeners = -1
    let piped: Error | null | undefined
    const port = await front((response, res) => {
      res.writeHead(response.statusCode, { 'content-length': String(BYTES) })
      response.body.sendWhenPipedTo(res)
      pipeline(response.body, res, (error) => {
        piped = error ?? null
      })
      // no stream in between: pipe would have started reading the body with a 'data' listener
      dataListeners = response.body.listenerCount('data')
    })
    const through = await download(port, `/download?bytes=${BYTES}`)
    expect(dataListeners).toBe(0)
    expect(through.cut).toBe(false)
    expect(through.bytes).toBe(BYTES)
    await expect.poll(() => piped).toBeNull()
    // the same bytes as a direct pipe of the upstream's body
    const direct = await front((response, res) => {
      res.writeHead(response.statusCode, { 'content-length': String(BYTES) })
      response.body.pipe(new PassThrough()).pipe(res)
    })
    expect(through.digest).toBe((await download(direct, `/download?bytes=${BYTES}`)).digest)
  })

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

  it('piped anywhere else (a middleware’s transform), the body streams as usual', async () => {
    let dataListeners = -1
    const port = await front((response, res) => {
      res.writeHead(response.statusCode, { 'content-length': String(BYTES) })
      response.body.sendWhenPipedTo(res)
      const transform = new PassThrough()
      response.body.pipe(transform)
      dataListeners = response.body.listenerCount('data')
      transform.pipe(res)
    })
    const through = await download(port, `/download?bytes=${BYTES}`)
    expect(dataListeners).toBe(1)
    expect(through.bytes).toBe(BYTES)
  })

  it('an upstream failure mid-body reaches the piper as the body’s error, and the client connection is cut', async () => {
    let piped: Error | null | undefined
    const port = await front((response, res) => {
      res.writeHead(response.statusCode, { 'content-length': '100000' })
      response.body.sendWhenPipedTo(res)
      pipeline(response.body, res, (error) => {
        piped = error ?? null
      })
    })
    const through = await download(port, '/reset-mid-body?bytes=1000')
    expect(through.cut).toBe(true)
    expect(through.bytes).toBeLessThan(100_000)
    await expect.poll(() => piped).toBeDefined()
    expect(isGatewayError(piped)).toBe(true)
  })
})

describe('a body of exactly 64 KiB (the bench’s GET 64 KiB) goes out as one buffer, not a stream', () => {
  it.each([
    [64 * 1024, 64 * 1024],
    [64 * 1024 + 1, undefined],
  ])('declared %i bytes -> collected whole: %s', async (bytes, collected) => {
    const pool = await upstream()
    const response = await call(pool, `/download?bytes=${bytes}`)
    const whole = await response.completeSoon(bytes)
    expect(Buffer.isBuffer(whole) ? whole.length : whole).toBe(collected)
    if (whole === undefined) expect((await response.body.arrayBuffer()).byteLength).toBe(bytes)
  })
})
