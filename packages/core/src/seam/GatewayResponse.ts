import type { ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { GatewayError } from '../errors/GatewayError.js'
import type { HeaderRecord } from '../http/headerRecord.js'

/**
 * A body that can write itself straight into a Node response, without stream piping (the
 * upstream's body does: see `UpstreamBody.sendTo`).
 */
export interface DirectBody {
  /** Write the body into `res` now, and end it. */
  sendTo(res: ServerResponse): void
  /** Write the body straight into `res` when it is piped there (by the framework), instead of streaming it. */
  sendWhenPipedTo(res: ServerResponse): void
}

/**
 * The response side of the seam: what the adapter writes through its framework. Either the
 * upstream's response (status, headers, streaming body) or one the gateway generated for a failure.
 */
export interface GatewayResponse {
  /** Status code. */
  readonly status: number
  /** Header fields, hop-by-hop ones already removed. */
  readonly headers: HeaderRecord
  /**
   * The body: a stream from the upstream (destroyed with an error if the upstream fails mid-body,
   * which must cut the client connection), a buffer for generated responses, or `null`.
   */
  readonly body: Readable | Buffer | null
  /** Set when the gateway generated this response for an upstream failure. */
  readonly error: GatewayError | undefined
}
