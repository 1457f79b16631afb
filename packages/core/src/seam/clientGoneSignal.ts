import type { ServerResponse } from 'node:http'
import type { AbortSignalLike } from './AbortSignalLike.js'
import { LightSignal } from './LightSignal.js'

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
    // `destroyed` (a field) rather than `closed` (a getter reading another): on Express every read on
    // res misses V8's inline cache; a closed response is a destroyed one
    if (res.destroyed && !res.writableFinished) this.abort(goneError())
    // `on`, not `once`: a response closes once, and `once` wraps the listener and removes it again
    else res.on('close', this.onClose)
  }

  private readonly onClose = (): void => {
    if (!this.res.writableFinished) this.abort(goneError())
  }
}

function goneError(): DOMException {
  return new DOMException('The client went away', 'AbortError')
}
