import type { ServerResponse } from 'node:http'
import { LightSignal } from './LightSignal.js'

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

class ClientGone extends LightSignal {
  constructor(private readonly res: ServerResponse) {
    super()
    // the client may have left while earlier middleware ran: then 'close' has already fired
    if (res.closed && !res.writableFinished) this.abort(goneError())
    else res.once('close', this.onClose)
  }

  private readonly onClose = (): void => {
    if (!this.res.writableFinished) this.abort(goneError())
  }
}

function goneError(): DOMException {
  return new DOMException('The client went away', 'AbortError')
}
