import type { GatewayError } from '../errors/GatewayError.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
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
