/**
 * The part of `AbortSignal` the gateway uses: a real `AbortSignal` fits, and so does the lighter
 * `clientGoneSignal`.
 */
export interface AbortSignalLike {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: 'abort', listener: () => void): void
  removeEventListener(type: 'abort', listener: () => void): void
}
