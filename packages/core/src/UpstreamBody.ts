import { Readable } from 'node:stream'

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
export class UpstreamBody extends Readable {
  private readonly source: BodySource

  constructor(source: BodySource) {
    super()
    this.source = source
  }

  override _read(): void {
    this.source.pull()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.bodyDestroyed(error)
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
    const chunks: Buffer[] = []
    for await (const chunk of this) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }
}
