import { PassThrough, type Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
import { ReplayableBody } from '~core/upstream/ReplayableBody.js'

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => resolve(Buffer.concat(chunks)))
    stream.on('error', reject)
    stream.resume()
  })
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('ReplayableBody', () => {
  it('two attempts read the same body at once, each of them whole (a hedged request)', async () => {
    const source = new PassThrough()
    const body = new ReplayableBody(source, 1024 * 1024, undefined)
    const first = collect(body.forAttempt())
    source.write('hello ')
    await tick()
    // the second attempt starts when part of the body went to the first: it replays that part
    const second = collect(body.forAttempt())
    source.write('world')
    source.end()
    expect((await first).toString()).toBe('hello world')
    expect((await second).toString()).toBe('hello world')
  })

  it('an attempt that reads nothing pauses the client stream for all: no attempt buffers without bound', async () => {
    const source = new PassThrough({ highWaterMark: 1024 })
    const body = new ReplayableBody(source, 10 * 1024 * 1024, undefined)
    const reading = body.forAttempt()
    let read = 0
    reading.on('data', (chunk: Buffer) => {
      read += chunk.length
    })
    const stalled = body.forAttempt()
    stalled.resume()
    stalled.pause()
    await tick()
    for (let i = 0; i < 64; i++) source.write(Buffer.alloc(16 * 1024))
    await tick()
    await tick()
    // the stalled attempt's stream holds what its highWaterMark allows, and the source stops there
    expect(source.isPaused()).toBe(true)
    expect(read).toBeLessThan(64 * 16 * 1024)
    const rest = collect(stalled)
    source.end()
    expect((await rest).length).toBe(64 * 16 * 1024)
  })

  it('an attempt destroyed (undici failed it) leaves the others reading', async () => {
    const source = new PassThrough()
    const body = new ReplayableBody(source, 1024, undefined)
    const failed = body.forAttempt()
    failed.on('error', () => {})
    const survivor = collect(body.forAttempt())
    source.write('abc')
    await tick()
    failed.destroy(new Error('attempt failed'))
    source.end('def')
    expect((await survivor).toString()).toBe('abcdef')
  })

  it('a later attempt replays what was kept, then goes on with what arrives', async () => {
    const source = new PassThrough()
    const body = new ReplayableBody(source, 1024, undefined)
    const first = body.forAttempt()
    first.on('data', () => {})
    source.write('kept ')
    await tick()
    first.destroy()
    expect(body.replayable()).toBe(true)
    const second = collect(body.forAttempt())
    source.end('and live')
    expect((await second).toString()).toBe('kept and live')
  })

  it('a body over the limit is not replayable once any of it was read', async () => {
    const source = new PassThrough()
    const body = new ReplayableBody(source, 4, undefined)
    expect(body.replayable()).toBe(true)
    body.forAttempt().on('data', () => {})
    source.write('more than four bytes')
    await tick()
    expect(body.replayable()).toBe(false)
    source.end()
  })

  it('more than maxBytes fails every attempt with request_body_too_large', async () => {
    const source = new PassThrough()
    const body = new ReplayableBody(source, 1024, undefined, 8)
    const attempts = [body.forAttempt(), body.forAttempt()].map(
      (attempt) =>
        new Promise<unknown>((resolve) => {
          attempt.on('data', () => {})
          attempt.on('error', resolve)
        }),
    )
    source.write('0123456789')
    const errors = await Promise.all(attempts)
    for (const error of errors) expect(isGatewayError(error) && error.code).toBe('request_body_too_large')
  })
})
