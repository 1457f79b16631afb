import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { type Dispatcher, Pool } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
import { TargetState } from '~core/targets/TargetState.js'
import { AttemptRecord } from '~core/upstream/AttemptRecord.js'
import { dispatchOptions } from '~core/upstream/dispatchOptions.js'
import { callUpstream } from '~core/upstream/UpstreamExchange.js'
import { type FaultUpstream, startFaultUpstream } from '../helpers/faultUpstream.js'

const TIMEOUTS = { connect: 5000, headers: 5000, idle: 5000 }

async function upstream(): Promise<FaultUpstream> {
  const up = await startFaultUpstream()
  onTestFinished(() => up.close())
  return up
}

function pool(url: string): Pool {
  const created = new Pool(url, { headersTimeout: 0, bodyTimeout: 0 })
  onTestFinished(() => created.close())
  return created
}

function call(
  dispatcher: Pool,
  path: string,
  options: { method?: string; body?: string | PassThrough; timeout?: Partial<typeof TIMEOUTS> } = {},
) {
  return callUpstream({
    dispatcher,
    request: dispatchOptions(
      { origin: undefined, path, method: options.method ?? 'GET', headers: [] },
      options.body ?? null,
    ),
    timeout: { ...TIMEOUTS, ...options.timeout },
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

describe('UpstreamExchange', () => {
  it('records its phases in order: started, connected, sent, first byte, ended', async () => {
    const up = await upstream()
    const response = await call(pool(up.url), '/ok')
    expect((await response.body.text()).toString()).toBe('ok')
    const { started, connected, sent, firstByte, ended } = response.phases
    expect([connected, sent, firstByte, ended].every((at) => at !== undefined)).toBe(true)
    expect(started <= (connected as number)).toBe(true)
    expect((connected as number) <= (sent as number)).toBe(true)
    expect((sent as number) <= (firstByte as number)).toBe(true)
    expect((firstByte as number) <= (ended as number)).toBe(true)
  })

  it('a request with a stream body is sent when the stream ends: the headers timeout starts only then', async () => {
    const up = await upstream()
    const body = new PassThrough()
    // 300 ms for the headers; the client takes 600 ms to send its body (not the upstream's time)
    const pending = call(pool(up.url), '/echo', { method: 'POST', body, timeout: { headers: 300 } })
    body.write('first half, ')
    setTimeout(() => body.end('second half'), 600)
    const response = await pending
    expect(response.statusCode).toBe(200)
    expect(JSON.parse(await response.body.text()).bodyLength).toBe(23)
    const { connected, sent } = response.phases
    expect((sent as number) - (connected as number)).toBeGreaterThanOrEqual(500)
  })

  it('the headers timeout then fires on its own limit: 504 http_response_timeout in the headers phase', async () => {
    const up = await upstream()
    const failure = await call(pool(up.url), '/slow-headers?ms=5000', { timeout: { headers: 200 } }).catch(
      (error: unknown) => error,
    )
    expect(isGatewayError(failure) && [failure.code, failure.phase]).toEqual(['http_response_timeout', 'headers'])
  })

  it('response header lines pass through byte for byte (name case, order, repeats)', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, [
        ['X-Mixed-Case', 'One'],
        ['set-cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Content-Length', '2'],
      ])
      res.end('hi')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const { port } = server.address() as AddressInfo
    const response = await call(pool(`http://127.0.0.1:${port}`), '/')
    const lines = response.rawHeaders.map((line) => line.toString('latin1'))
    expect(lines.slice(0, 6)).toEqual(['X-Mixed-Case', 'One', 'set-cookie', 'a=1', 'Set-Cookie', 'b=2'])
    expect(response.takeComplete()?.toString() ?? (await response.body.text())).toBe('hi')
  })

  it('a body nobody reads pauses the upstream once 64 KiB are kept, and the idle timeout does not run meanwhile', async () => {
    const up = await upstream()
    const response = await call(pool(up.url), '/download?bytes=1048576', { timeout: { idle: 200 } })
    // longer than the idle timeout: the upstream is paused by the gateway, which is not idleness
    await new Promise((resolve) => setTimeout(resolve, 600))
    const body = await response.body.arrayBuffer()
    expect(body.byteLength).toBe(1048576)
  })

  it('undici calls its handler directly, so no response header lines are parsed into an object nobody reads', async () => {
    const up = await upstream()
    const upstreamPool = pool(up.url)
    const handlers: Dispatcher.DispatchHandler[] = []
    const watched = {
      dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
        handlers.push(handler)
        return upstreamPool.dispatch(options, handler)
      },
    } as unknown as Pool
    const response = await call(watched, '/ok')
    expect((await response.body.text()).toString()).toBe('ok')
    expect(response.rawHeaders.every((line) => Buffer.isBuffer(line))).toBe(true)
    // undici 7 wraps a handler with onRequestStart in an UnwrapHandler, which parses every response's
    // headers (and trailers); one with the API its clients call (onHeaders) it calls as it is
    const [handler] = handlers as [Dispatcher.DispatchHandler]
    expect(typeof handler.onHeaders).toBe('function')
    expect('onRequestStart' in handler).toBe(false)
  })
})
