import type { AbortSignalLike } from './AbortSignalLike.js'

/**
 * An abort signal that costs a plain object until someone needs a real `AbortSignal`: the gateway's
 * own calls only need {@link AbortSignalLike}, and an `AbortController` (an EventTarget, and a
 * DOMException when it aborts) per request is a measurable cost when most requests never abort and
 * most routes never hand the signal to another client.
 */
export class LightSignal implements AbortSignalLike {
  aborted = false
  reason: unknown = undefined
  private listeners: Array<() => void> | undefined
  private controller: AbortController | undefined

  /** A real `AbortSignal` that aborts with this one: made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort(this.reason)
    }
    return this.controller.signal
  }

  abort(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) listener()
    this.controller?.abort(reason)
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
}
