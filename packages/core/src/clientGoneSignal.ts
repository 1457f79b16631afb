import type { ServerResponse } from 'node:http'

/**
 * The part of `AbortSignal` the gateway uses: a real `AbortSignal` fits, and so does the lighter
 * {@link clientGoneSignal}.
 */
export interface AbortSignalLike {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/**
 * A signal that aborts when the client connection closes before the response finished: the moment
 * the gateway must abort the upstream request. Lighter than an `AbortController` (no EventTarget,
 * no DOMException until it aborts), since every request makes one.
 */
export function clientGoneSignal(res: ServerResponse): AbortSignalLike {
  return new ClientGone(res)
}

class ClientGone implements AbortSignalLike {
  aborted = false
  private listeners: Array<() => void> | undefined

  constructor(private readonly res: ServerResponse) {
    // the client may have left while earlier middleware ran: then 'close' has already fired
    if (res.closed && !res.writableFinished) this.aborted = true
    else res.once('close', this.onClose)
  }

  get reason(): unknown {
    return this.aborted ? new DOMException('The client went away', 'AbortError') : undefined
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.listeners === undefined) this.listeners = [listener]
    else this.listeners.push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.listeners
    if (listeners === undefined) return
    const at = listeners.indexOf(listener)
    if (at !== -1) listeners.splice(at, 1)
  }

  private readonly onClose = (): void => {
    if (this.res.writableFinished) return
    this.aborted = true
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) listener()
  }
}
