import { Dispatcher } from 'undici'

/**
 * The dispatcher of an `http2: true` gateway: requests go to the pool that negotiates HTTP/2, upgrade
 * requests (WebSocket, the listed protocols) to one that speaks HTTP/1.1 only.
 *
 * Why not upgrade over HTTP/2: undici 7 turns a WebSocket upgrade on an h2 connection into an
 * extended CONNECT (RFC 8441), which few servers accept (Node's needs `enableConnectProtocol`), whose
 * answer is a `200` on a stream rather than a `101` and a socket, and it refuses other protocols
 * outright. The same server nearly always speaks HTTP/1.1 over TLS as well, where a `101` hands over
 * the connection as the tunnel expects.
 */
export class UpgradesOverHttp1 extends Dispatcher {
  constructor(
    private readonly main: Dispatcher,
    private readonly http1: Dispatcher,
  ) {
    super()
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return (options.upgrade == null ? this.main : this.http1).dispatch(options, handler)
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | undefined {
    const closed = Promise.all([this.main.close(), this.http1.close()]).then(() => {})
    if (callback === undefined) return closed
    closed.then(callback, callback)
    return undefined
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | undefined {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null)
    const done = typeof errOrCallback === 'function' ? errOrCallback : callback
    const destroyed = Promise.all([this.main.destroy(err), this.http1.destroy(err)]).then(() => {})
    if (done === undefined) return destroyed
    destroyed.then(done, done)
    return undefined
  }
}
