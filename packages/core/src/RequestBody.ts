import { Readable } from 'node:stream'

/**
 * The client's request body as handed to undici: a thin stream over the Node request that undici
 * may destroy on failure without destroying the client's request (and with it the client socket,
 * which still has to receive the gateway's 502 or 504).
 */
export class RequestBody extends Readable {
  private readonly source: Readable
  private ended = false

  constructor(source: Readable) {
    super()
    this.source = source
    source.on('data', this.onData)
    source.on('end', this.onEnd)
    source.on('error', this.onError)
    source.on('close', this.onClose)
    source.pause()
  }

  override _read(): void {
    this.source.resume()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.off('data', this.onData)
    this.source.off('end', this.onEnd)
    this.source.off('error', this.onError)
    this.source.off('close', this.onClose)
    callback(error)
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.push(chunk)) this.source.pause()
  }

  private readonly onEnd = (): void => {
    this.ended = true
    this.push(null)
  }

  private readonly onError = (error: Error): void => {
    this.destroy(error)
  }

  private readonly onClose = (): void => {
    if (!this.ended) this.destroy(new Error('client request body ended early'))
  }
}
