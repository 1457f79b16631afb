/**
 * How much of a response body is kept before anyone asks for it; then the upstream is paused. A small
 * body that arrives whole within it is sent as a buffer and never becomes a stream, and a body
 * declared (`Content-Length`) within it is waited for.
 */
export const EARLY_BODY_BYTES = 64 * 1024

const EMPTY = Buffer.alloc(0)

/** The response body chunks that arrived before anyone asked for the body. */
export class EarlyBody {
  private chunks: Buffer[] | undefined
  /** Bytes kept so far (they stay counted once taken, to tell a body that outgrew the limit). */
  bytes = 0

  /** Keep a chunk; `false` once more than {@link EARLY_BODY_BYTES} are kept (pause the upstream). */
  keep(chunk: Buffer): boolean {
    if (this.chunks === undefined) this.chunks = [chunk]
    else this.chunks.push(chunk)
    this.bytes += chunk.length
    return this.bytes <= EARLY_BODY_BYTES
  }

  /** Whether the body outgrew what is kept before anyone asks. */
  get full(): boolean {
    return this.bytes > EARLY_BODY_BYTES
  }

  /** Everything kept, as one buffer (empty when nothing arrived); kept no longer. */
  takeWhole(): Buffer {
    const chunks = this.chunks
    this.chunks = undefined
    if (chunks === undefined) return EMPTY
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.bytes)
  }

  /** Everything kept, chunk by chunk (for the stream made now); kept no longer. */
  takeChunks(): Buffer[] | undefined {
    const chunks = this.chunks
    this.chunks = undefined
    return chunks
  }

  /** Let go of what is kept (the body failed). */
  discard(): void {
    this.chunks = undefined
  }
}
