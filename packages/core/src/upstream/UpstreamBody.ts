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
    if (this.sink === undefined) this.push(null)
    else this.sink.end()
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
    if (this.done) {
      res.end()
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
    if (error !== null && this.sink !== undefined) this.sink.destroy()
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
