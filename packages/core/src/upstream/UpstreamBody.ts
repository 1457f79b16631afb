import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { DirectBody } from '../seam/GatewayResponse.js'

const EMPTY = Buffer.alloc(0)

/** What the body stream needs of the exchange that feeds it. */
export interface BodySource {
  /** The consumer wants more: resume the upstream. */
  pull(): void
  /** The stream was destroyed before the upstream finished: abort the upstream. */
  bodyDestroyed(error: Error | null): void
}

/**
 * An upstream response body: a stream with backpressure (the upstream is paused while the consumer
 * is), plus `text()`, `json()` and `arrayBuffer()` for routes that want it whole.
 */
export class UpstreamBody extends Readable implements DirectBody {
  private readonly source: BodySource
  /** A Node response the body is written straight into (see `sendTo`). */
  private sink: ServerResponse | undefined
  /** Whether the body ends the sink when it completes (`pipe(res, { end: false })` leaves that to the piper). */
  private endsSink = true
  /** The sink came through `pipe`: the piper handles the body's errors. */
  private piped = false
  /** The response that `pipe` writes into directly (see `sendWhenPipedTo`). */
  private pipedSink: ServerResponse | undefined
  private done = false

  constructor(source: BodySource) {
    super()
    this.source = source
  }

  /** @internal a chunk from the upstream; `false` asks the upstream to pause */
  deliver(chunk: Buffer): boolean {
    if (this.sink === undefined) return this.push(chunk)
    // undici hands over an empty chunk when it resumes after a pause (once per chunk of a long body):
    // written, it costs a write syscall of no bytes
    return chunk.length === 0 || this.sink.write(chunk)
  }

  /** @internal the upstream finished the body */
  complete(): void {
    this.done = true
    const sink = this.sink
    if (sink !== undefined && this.endsSink) sink.end()
    // written straight into a sink the stream still ends (flowing, with nothing in it), so that
    // whoever piped it (Koa's `pipeline`, Fastify's end-of-stream watch) sees it finish
    this.push(null)
  }

  /**
   * The whole body as one buffer if the upstream already finished it (a small response usually
   * arrives with its headers): adapters then send a buffer instead of piping a stream. `undefined`
   * while it is still streaming.
   */
  takeComplete(): Buffer | undefined {
    if (!this.done || this.sink !== undefined) return undefined
    return (this.read() as Buffer | null) ?? EMPTY
  }

  /**
   * Write the body straight into a Node response instead of piping a stream: the fast path for
   * adapters that hold a `ServerResponse`. Backpressure pauses the upstream; the client leaving
   * aborts it; an upstream failure destroys the response (the truncation stays visible).
   */
  sendTo(res: ServerResponse): void {
    // no one reads this stream: its errors are handled by destroying the response (see _destroy)
    this.on('error', ignore)
    this.writeInto(res)
  }

  /**
   * Let `pipe(res)` write the body straight into `res`, as {@link sendTo} does, for adapters that
   * hand the stream to their framework, which pipes it into the response itself (Koa's `respond`,
   * Fastify's `reply.send`): middleware and hooks still see, and may replace, the stream. Piped
   * anywhere else (a middleware's transform), or read, it streams as usual.
   */
  sendWhenPipedTo(res: ServerResponse): void {
    this.pipedSink = res
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const res = this.pipedSink
    if (
      res === undefined ||
      (destination as unknown) !== res ||
      this.sink !== undefined ||
      this.readableDidRead ||
      this.destroyed
    ) {
      return super.pipe(destination, options)
    }
    this.endsSink = options?.end !== false
    this.piped = true
    this.writeInto(res)
    return destination
  }

  private writeInto(res: ServerResponse): void {
    if (this.destroyed) {
      // the body failed before it was sent for: cut the connection, nothing went out yet
      res.destroy()
      return
    }
    this.sink = res
    // what arrived before the consumer did
    let chunk = this.read() as Buffer | null
    while (chunk !== null) {
      res.write(chunk)
      chunk = this.read() as Buffer | null
    }
    // flowing with nothing pushed into it any more: it emits 'end' once the upstream completes
    this.resume()
    if (this.done) {
      if (this.endsSink) res.end()
      return
    }
    res.on('drain', () => this.source.pull())
    res.once('close', () => {
      if (!this.done) this.destroy()
    })
    this.source.pull()
  }

  override _read(): void {
    this.source.pull()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.bodyDestroyed(error)
    // a sink it was piped into is the piper's to cut, as with any piped stream: it hears of the error
    // (Fastify's error handling runs its onError hooks first)
    if (error !== null && this.sink !== undefined && !this.piped) this.sink.destroy()
    callback(error)
  }

  /** The whole body as bytes. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  /** The whole body as UTF-8 text. */
  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8')
  }

  /** The whole body parsed as JSON. */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  private async bytes(): Promise<Buffer> {
    // most small bodies arrive with their headers: no async iteration then
    const whole = this.readableDidRead ? undefined : this.takeComplete()
    if (whole !== undefined) return whole
    const chunks: Buffer[] = []
    for await (const chunk of this) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }
}

function ignore(): void {}
