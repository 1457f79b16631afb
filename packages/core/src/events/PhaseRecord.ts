/**
 * When one upstream attempt went through its phases, in `performance.now()` ms; a phase the
 * attempt never reached is `undefined`. Server-Timing, metrics and logs read it.
 *
 * undici cannot tell one request's wait for a pooled connection from its connect, so `connected`
 * ends both: queued + connect is one phase.
 */
export interface PhaseRecord {
  /** The attempt began (it joined the pool's queue). */
  readonly started: number
  /** A connection took the request and its head is being written (undici's `onRequestStart`). */
  readonly connected: number | undefined
  /** The request was fully sent: its head, and the last chunk of its body. */
  readonly sent: number | undefined
  /** The response headers arrived. */
  readonly firstByte: number | undefined
  /** The exchange ended: its body complete, or failed, or abandoned. */
  readonly ended: number | undefined
}
