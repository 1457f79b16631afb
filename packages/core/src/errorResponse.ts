import { FAILURES } from './failures.js'
import type { GatewayError } from './GatewayError.js'
import type { GatewayResponse } from './GatewayResponse.js'

/**
 * The response the gateway generates for a failure before response headers: the failure's status,
 * `Proxy-Status` with the RFC 9209 error type, `Cache-Control: no-store`, `Retry-After` when known, and a short plain-text
 * body built from the failure table alone (no host, port, errno or stack). `HEAD` gets no body.
 */
export function errorResponse(error: GatewayError, proxyName: string, method: string): GatewayResponse {
  const row = FAILURES[error.code]
  const body = Buffer.from(`${row.status} ${row.title}\n${row.summary}\n`)
  const headers: GatewayResponse['headers'] = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.length),
    'cache-control': 'no-store',
    'proxy-status': `${proxyName}; error=${error.code}`,
  }
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter)
  return {
    status: row.status,
    headers,
    body: method === 'HEAD' ? null : body,
    error,
  }
}
