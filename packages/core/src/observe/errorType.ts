import { proxyStatusType } from '../errors/failures.js'
import type { GatewayError } from '../errors/GatewayError.js'

/**
 * The conventions' `error.type` of an upstream call: the failure's RFC 9209 type
 * (`connection_refused`, `http_response_timeout`, …), the status as a string for an answer ≥ 400,
 * `_OTHER` for a call that ended without either (undici refused the request); `undefined` for a
 * success.
 */
export function errorType(status: number | undefined, error: GatewayError | undefined): string | undefined {
  if (error !== undefined) return proxyStatusType(error.code)
  if (status === undefined) return '_OTHER'
  return status >= 400 ? String(status) : undefined
}
