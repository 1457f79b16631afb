import { Readable } from 'node:stream'
import { GatewayError } from '../errors/GatewayError.js'

/**
 * A request body that can be sent more than once: its bytes are kept while they stream, up to
 * `limit`, so a retry can replay them and then go on with what is still arriving. A body larger than
 * the limit is not kept (it streams straight through) and cannot be replayed once any of it was sent;
 * it is never refused for its size. Each attempt reads through its own stream, which undici may
 * destroy on failure without harming the client's request.
 */
export class ReplayableBody {
  private kept: Buffer[] | undefined = []
  private keptBytes = 0
  private pulledBytes = 0
  private ended = false
  private failure: Error | undefined
  private current: AttemptBody | undefined

  /**
   * @param limit bytes kept for replay
   * @param declaredLength the request's `Content-Length`, when it declared one
   * @param maxBytes the most bytes accepted at all (`limits.body`; `Infinity`: no limit): past it the
   *   current attempt fails with `request_body_too_large`
   */
  constructor(
    private readonly source: Readable,
    private readonly limit: number,
    declaredLength: number | undefined,
    private readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {
    if (declaredLength !== undefined && declaredLength > limit) this.kept = undefined
    source.on('data', this.onData)
    source.on('end', this.onEnd)
    source.on('error', this.onError)
    source.on('close', this.onClose)
    source.pause()
  }

  /** Whether the client is still sending the body. */
  pending(): boolean {
    return !this.ended && this.failure === undefined
  }

  /** Whether another attempt can send the whole body: it was kept, or none of it was read yet. */
  replayable(): boolean {
    return this.failure === undefined && (this.kept !== undefined || this.pulledBytes === 0)
  }

  /** A stream of the whole body for the next attempt (the previous attempt's stream is detached). */
  forAttempt(): Readable {
    this.current?.detach()
    const attempt = new AttemptBody(this, this.kept === undefined ? [] : this.kept.slice())
    this.current = attempt
    return attempt
  }

  /** No further attempt will come: let go of the kept bytes, keep streaming to the current attempt. */
  stopKeeping(): void {
    this.kept = undefined
  }

  /** Stop listening to the client's request (the exchange is over). */
  release(): void {
    this.current?.detach()
    this.source.off('data', this.onData)
    this.source.off('end', this.onEnd)
    this.source.off('error', this.onError)
    this.source.off('close', this.onClose)
    this.kept = undefined
  }

  /** @internal the attempt wants live bytes */
  resumeSource(attempt: AttemptBody): void {
    if (attempt !== this.current) return
    if (this.ended) attempt.push(null)
    else if (this.failure !== undefined) attempt.destroy(this.failure)
    else this.source.resume()
  }

  /** @internal the attempt's stream is gone */
  detached(attempt: AttemptBody): void {
    if (attempt !== this.current) return
    this.current = undefined
    this.source.pause()
  }

  private readonly onData = (chunk: Buffer): void => {
    this.pulledBytes += chunk.length
    if (this.pulledBytes > this.maxBytes) {
      this.source.pause()
      this.kept = undefined
      this.onError(new GatewayError('request_body_too_large', { phase: 'send' }))
      return
    }
    if (this.kept !== undefined) {
      this.keptBytes += chunk.length
      if (this.keptBytes > this.limit) this.kept = undefined
      else this.kept.push(chunk)
    }
    const attempt = this.current
    if (attempt === undefined) this.source.pause()
    else if (!attempt.push(chunk)) this.source.pause()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.current?.push(null)
  }

  private readonly onError = (error: Error): void => {
    this.failure = error
    this.current?.destroy(error)
  }

  private readonly onClose = (): void => {
    if (!this.ended) this.onError(new Error('client request body ended early'))
  }
}

/** One attempt's view of the body: the kept bytes first, then the live ones. */
class AttemptBody extends Readable {
  private gone = false

  constructor(
    private readonly owner: ReplayableBody,
    private readonly replay: Buffer[],
  ) {
    super()
  }

  override _read(): void {
    while (this.replay.length > 0) {
      if (!this.push(this.replay.shift())) return
    }
    this.owner.resumeSource(this)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach()
    callback(error)
  }

  detach(): void {
    if (this.gone) return
    this.gone = true
    this.owner.detached(this)
  }
}

/** A request body as the attempt loop sends it: `null` without one; a buffer or string is always replayable. */
export type ForwardBody = ReplayableBody | Buffer | Uint8Array | string | null

/** What one attempt sends: a fresh stream of a replayable body, or the body as it is. */
export function attemptBody(body: ForwardBody): Buffer | Uint8Array | string | Readable | null {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return body
  return body.forAttempt()
}

/** Whether the client is still sending the body. */
export function bodyPending(body: ForwardBody): boolean {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return false
  return body.pending()
}

/** Whether another attempt can send the whole body. */
export function bodyReplayable(body: ForwardBody): boolean {
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) return true
  return body.replayable()
}
