import { Readable } from 'node:stream'
import { GatewayError } from '../errors/GatewayError.js'

/**
 * A request body that can be sent more than once, and to several attempts at once (a hedged request
 * runs two): its bytes are kept while they stream, up to `limit`, so a later attempt can replay them
 * and then go on with what is still arriving. A body larger than the limit is not kept (it streams
 * straight through) and cannot be replayed once any of it was sent; it is never refused for its
 * size. Each attempt reads through its own stream, which undici may destroy on failure without
 * harming the client's request or the other attempts. The client's stream flows while every attempt
 * wants more, and is paused while any of them applies backpressure.
 */
export class ReplayableBody {
  private kept: Buffer[] | undefined = []
  private keptBytes = 0
  private pulledBytes = 0
  private ended = false
  private failure: Error | undefined
  /** The attempts reading now. */
  private readonly attempts: AttemptBody[] = []

  /**
   * @param limit bytes kept for replay
   * @param declaredLength the request's `Content-Length`, when it declared one
   * @param maxBytes the most bytes accepted at all (`limits.body`; `Infinity`: no limit): past it the
   *   attempts fail with `request_body_too_large`
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

  /** A stream of the whole body for one more attempt: the kept bytes, then the live ones. */
  forAttempt(): Readable {
    const queue: Array<Buffer | null> = this.kept === undefined ? [] : this.kept.slice()
    if (this.ended) queue.push(null)
    const attempt = new AttemptBody(this, queue)
    if (this.failure !== undefined) attempt.destroy(this.failure)
    else this.attempts.push(attempt)
    return attempt
  }

  /** No further attempt will come: let go of the kept bytes, keep streaming to the attempts reading. */
  stopKeeping(): void {
    this.kept = undefined
  }

  /** Stop listening to the client's request (the exchange is over). */
  release(): void {
    for (const attempt of this.attempts.slice()) attempt.detach()
    this.source.off('data', this.onData)
    this.source.off('end', this.onEnd)
    this.source.off('error', this.onError)
    this.source.off('close', this.onClose)
    this.kept = undefined
  }

  /** @internal an attempt took all it was offered and wants more */
  wants(): void {
    if (this.ended || this.failure !== undefined) return
    for (const attempt of this.attempts) if (!attempt.wanting) return
    this.source.resume()
  }

  /** @internal an attempt's stream is gone */
  detached(attempt: AttemptBody): void {
    const at = this.attempts.indexOf(attempt)
    if (at === -1) return
    this.attempts.splice(at, 1)
    if (this.attempts.length === 0) this.source.pause()
    else this.wants()
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
    let flowing = this.attempts.length > 0
    for (const attempt of this.attempts) if (!attempt.offer(chunk)) flowing = false
    if (!flowing) this.source.pause()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    for (const attempt of this.attempts) attempt.offer(null)
  }

  private readonly onError = (error: Error): void => {
    this.failure = error
    for (const attempt of this.attempts.slice()) attempt.destroy(error)
  }

  private readonly onClose = (): void => {
    if (!this.ended) this.onError(new Error('client request body ended early'))
  }
}

/** One attempt's view of the body: what it is still to send (the kept bytes first, then the live ones). */
class AttemptBody extends Readable {
  /** Whether the consumer asked for more than it was given. */
  wanting = false
  private gone = false

  constructor(
    private readonly owner: ReplayableBody,
    private readonly queue: Array<Buffer | null>,
  ) {
    super()
  }

  /** @internal a live chunk, or the end (`null`); `false` while this attempt wants no more */
  offer(chunk: Buffer | null): boolean {
    this.queue.push(chunk)
    if (this.wanting) this.flush()
    return this.wanting
  }

  override _read(): void {
    this.wanting = true
    this.flush()
    if (this.wanting) this.owner.wants()
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

  private flush(): void {
    const queue = this.queue
    while (queue.length > 0) {
      if (!this.push(queue.shift() as Buffer | null)) {
        this.wanting = false
        return
      }
    }
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
