import type { GatewayError } from '../errors/GatewayError.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { TargetQueue } from '../targets/TargetQueue.js'
import type { Destination } from '../targets/TargetSet.js'

/**
 * One attempt of the attempt loop: where it goes, its number, its phase record, which the exchange
 * fills in as it goes (undici's `fetch` only tells when its headers arrived), and the header lines
 * set on this attempt alone.
 */
export class AttemptRecord implements PhaseRecord {
  readonly started = performance.now()
  connected: number | undefined = undefined
  sent: number | undefined = undefined
  firstByte: number | undefined = undefined
  ended: number | undefined = undefined
  /**
   * Header lines set on this attempt only (`[name, value, …]`, lower-case names), which replace the
   * request's fields of those names: a tracer's `traceparent`. `undefined` (nearly always): none.
   */
  headers: string[] | undefined = undefined

  constructor(
    readonly destination: Destination,
    /** 1 for the first attempt. */
    readonly number: number,
    private readonly onLateFailure: (error: GatewayError, attempt: AttemptRecord) => void,
  ) {}

  /** A signal of the attempt's own (a hedged attempt can be cancelled alone); `undefined`: the request's. */
  signal: AbortSignalLike | undefined = undefined

  /** The target queue place this attempt holds until its exchange ends. */
  private place: TargetQueue | undefined

  /** When the attempt got its place in the target's queue (`started` without a queue). */
  dispatched: number = this.started

  /** Hold a place of the target's queue until {@link finished}. */
  hold(queue: TargetQueue): void {
    this.place = queue
    this.dispatched = performance.now()
  }

  /** The exchange ended (complete, failed, abandoned or switched protocols): its queue place is free. */
  finished(): void {
    const place = this.place
    this.place = undefined
    place?.give()
  }

  /** Set a header on this attempt only, replacing the request's field of that name (see {@link headers}). */
  setHeader(name: string, value: string): void {
    const lower = name.toLowerCase()
    const headers = this.headers ?? []
    this.headers = headers
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === lower) {
        headers[i + 1] = value
        return
      }
    }
    headers.push(lower, value)
  }

  /** Tell of a failure after the response headers (the body broke off, or a short body never came whole). */
  failedLate(error: GatewayError): void {
    this.onLateFailure(error, this)
  }
}
