import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
import { collectBody } from '~core/upstream/collectBody.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))
const never = new AbortController().signal

describe('collectBody', () => {
  it('a body in several chunks resolves as one buffer with every byte in order', async () => {
    const source = new PassThrough()
    const body = collectBody(source, Number.POSITIVE_INFINITY, never)
    source.write('hello ')
    await tick()
    source.end('world')
    expect((await body).toString()).toBe('hello world')
  })

  it('chunks the app decoded (it set an encoding on the request) go on as their UTF-8 bytes', async () => {
    const source = new PassThrough()
    source.setEncoding('utf8')
    const body = collectBody(source, Number.POSITIVE_INFINITY, never)
    source.write(Buffer.from('héllo '))
    await tick()
    source.end(Buffer.from('wörld'))
    expect(await body).toEqual(Buffer.from('héllo wörld'))
  })

  it('a body still arriving at the deadline -> request_timeout, and the stream is let go', async () => {
    const source = new PassThrough()
    const failure = await collectBody(source, performance.now() + 50, never).catch((error: unknown) => error)
    expect(isGatewayError(failure) && failure.code).toBe('request_timeout')
    expect(source.listenerCount('data')).toBe(0)
  })

  it('a stream that closes before its end rejects (the client left)', async () => {
    const source = new PassThrough()
    const body = collectBody(source, Number.POSITIVE_INFINITY, never)
    source.write('half')
    source.destroy()
    await expect(body).rejects.toThrow('ended early')
  })
})
