import { randomUUID } from 'node:crypto'
import { isSafeRequestId } from '../http/requestId.js'

/** What answering a failure needs of the request. */
export interface ErrorRequest {
  /** The client's request method (`HEAD` gets no body). */
  readonly method: string
  /** The request path and query, for reports and function pages. */
  readonly url: string
  /** The request's `Accept`, for negotiation. */
  readonly accept: string | undefined
  /** The id sent as `X-Request-Id`. */
  readonly requestId: string
}

/**
 * Read what answering a failure needs from a request's raw header lines, in one pass: `Accept`,
 * and the incoming `X-Request-Id` when it is a safe token. `requestId` (the one already forwarded
 * upstream) wins; without either a UUID is generated.
 */
export function errorRequest(
  request: { readonly method: string; readonly url: string; readonly rawHeaders?: readonly string[] | undefined },
  requestId?: string,
): ErrorRequest {
  const raw = request.rawHeaders ?? []
  let accept: string | undefined
  let id = requestId
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 6 && accept === undefined && name.toLowerCase() === 'accept') accept = raw[i + 1] as string
    else if (name.length === 12 && id === undefined && name.toLowerCase() === 'x-request-id') {
      const value = raw[i + 1] as string
      if (isSafeRequestId(value)) id = value
    }
  }
  return { method: request.method, url: request.url, accept, requestId: id ?? randomUUID() }
}
