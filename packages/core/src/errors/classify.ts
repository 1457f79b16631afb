import { isAtOutboundProxy, proxyRefusedStatus } from './atOutboundProxy.js'
import type { FailureCode } from './failures.js'
import { type FailurePhase, GatewayError, isGatewayError } from './GatewayError.js'

/** Errno and library codes that name a failure kind, each matched exactly. */
const CODE_TABLE: Readonly<Record<string, FailureCode>> = {
  // undici
  UND_ERR_CONNECT_TIMEOUT: 'connection_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'http_response_timeout',
  UND_ERR_BODY_TIMEOUT: 'http_response_timeout',
  UND_ERR_SOCKET: 'connection_terminated',
  UND_ERR_HEADERS_OVERFLOW: 'http_response_header_section_size',
  // before headers this is conflicting framing (Content-Length with Transfer-Encoding); after, a short body
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'http_protocol_error',
  HPE_HEADER_OVERFLOW: 'http_response_header_section_size',
  // DNS (getaddrinfo)
  ENOTFOUND: 'dns_error',
  EAI_NONAME: 'dns_error',
  EAI_FAIL: 'dns_error',
  EAI_NODATA: 'dns_error',
  EAI_AGAIN: 'dns_timeout',
  // TCP
  ECONNREFUSED: 'connection_refused',
  ETIMEDOUT: 'connection_timeout',
  ESOCKETTIMEDOUT: 'connection_timeout',
  ECONNRESET: 'connection_terminated',
  EPIPE: 'connection_terminated',
  ECONNABORTED: 'connection_terminated',
  EHOSTUNREACH: 'destination_ip_unroutable',
  ENETUNREACH: 'destination_ip_unroutable',
  EHOSTDOWN: 'destination_ip_unroutable',
  ENETDOWN: 'destination_ip_unroutable',
  // TLS
  EPROTO: 'tls_protocol_error',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls_certificate_error',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls_certificate_error',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls_certificate_error',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls_certificate_error',
  UNABLE_TO_GET_ISSUER_CERT: 'tls_certificate_error',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls_certificate_error',
  CERT_HAS_EXPIRED: 'tls_certificate_error',
  CERT_NOT_YET_VALID: 'tls_certificate_error',
  CERT_REVOKED: 'tls_certificate_error',
  CERT_UNTRUSTED: 'tls_certificate_error',
  CERT_REJECTED: 'tls_certificate_error',
  CERT_SIGNATURE_FAILURE: 'tls_certificate_error',
  HOSTNAME_MISMATCH: 'tls_certificate_error',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'connection_timeout',
  // HTTP/2 (undici 7 over node:http2): a stream closed without its response ("stream closed before
  // the response was complete", "stream half-closed (remote)": a RST_STREAM with CANCEL or NO_ERROR),
  // a GOAWAY (which undici reports as a SocketError) or the session's own protocol error
  UND_ERR_INFO: 'connection_terminated',
  ERR_HTTP2_ERROR: 'http_protocol_error',
  ERR_HTTP2_SESSION_ERROR: 'connection_terminated',
  ERR_HTTP2_INVALID_HEADER_VALUE: 'http_protocol_error',
  ERR_HTTP2_INVALID_INFO_STATUS: 'http_protocol_error',
  ERR_HTTP2_STATUS_INVALID: 'http_protocol_error',
  // a stream not yet sent when its session went away (GOAWAY), or that could not be opened after one
  ERR_HTTP2_GOAWAY_SESSION: 'stream_refused',
  ERR_HTTP2_STREAM_CANCEL: 'stream_refused',
}

/**
 * The RST_STREAM error codes (RFC 9113 §7) of a `ERR_HTTP2_STREAM_ERROR`, whose message names them
 * (`Stream closed with error code NGHTTP2_REFUSED_STREAM`). Codes not listed (INTERNAL_ERROR,
 * ENHANCE_YOUR_CALM, a code of the peer's own) are `connection_terminated`.
 */
const RST_STREAM_CODES: Readonly<Record<string, FailureCode>> = {
  NGHTTP2_REFUSED_STREAM: 'stream_refused',
  NGHTTP2_PROTOCOL_ERROR: 'http_protocol_error',
  NGHTTP2_FLOW_CONTROL_ERROR: 'http_protocol_error',
  NGHTTP2_STREAM_CLOSED: 'http_protocol_error',
  NGHTTP2_FRAME_SIZE_ERROR: 'http_protocol_error',
  NGHTTP2_COMPRESSION_ERROR: 'http_protocol_error',
  NGHTTP2_CONNECT_ERROR: 'http_protocol_error',
  // the upstream wants HTTP/1.1 for this request: turn `http2` off for it
  NGHTTP2_HTTP_1_1_REQUIRED: 'http_protocol_error',
  NGHTTP2_INADEQUATE_SECURITY: 'tls_protocol_error',
}
const RST_STREAM_CODE = /\bNGHTTP2_[A-Z0-9_]+$/

/** How deep the `cause` chain is followed (fetch wraps once, some clients twice). */
const MAX_CAUSE_DEPTH = 5

/**
 * Decide which upstream failure an error is, or that it is none.
 *
 * Pure: it reads `code`, `name` and the `cause` chain, and never imports the libraries that raised
 * the error. Recognises undici's errors (including its parser error, which may arrive without a
 * `code`), Node's errno and TLS errors, global `fetch`'s `TypeError('fetch failed')` with a `cause`,
 * a deadline abort (`TimeoutError` by name) and axios-style errors. Failures connecting to guard
 * mode's outbound proxy (marked where the gateway connects to it) and a proxy's refusal to carry a
 * call (a CONNECT answered non-200, a 407) are the same kinds, `atOutboundProxy`; the refusal also carries its status.
 *
 * Returns `undefined` for anything else, an app bug included: when in doubt, it is not a 502.
 */
export function classify(
  error: unknown,
  context: { phase?: FailurePhase; afterHeaders?: boolean } = {},
): GatewayError | undefined {
  let current: unknown = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
    if (isGatewayError(current)) return current
    // an outbound proxy that would not carry the call: its 504 a timeout, anything else a refusal
    const refusedWith = proxyRefusedStatus(current)
    if (refusedWith !== undefined) {
      const code = refusedWith === 504 ? 'connection_timeout' : 'connection_refused'
      return new GatewayError(code, { cause: error, ...context, atOutboundProxy: true, receivedStatus: refusedWith })
    }
    let code = codeOf(current)
    // after response headers, a cut connection or bad framing means the body is incomplete
    if (
      context.afterHeaders === true &&
      (code === 'http_protocol_error' || code === 'connection_terminated' || code === 'stream_refused')
    ) {
      code = 'http_response_incomplete'
    }
    if (code !== undefined) {
      return new GatewayError(code, { cause: error, ...context, atOutboundProxy: isAtOutboundProxy(current) })
    }
    current = nextCause(current)
  }
  return undefined
}

/** The failure kind of one error object, ignoring its causes. */
function codeOf(error: object): FailureCode | undefined {
  const { code, name } = error as { code?: unknown; name?: unknown }
  if (name === 'TimeoutError') return 'http_response_timeout'
  if (typeof code === 'string') {
    // axios reports its own request timeout as ECONNABORTED
    if (code === 'ECONNABORTED' && (error as { isAxiosError?: unknown }).isAxiosError === true) {
      return 'http_response_timeout'
    }
    const known = CODE_TABLE[code]
    if (known !== undefined) return known
    if (code === 'ERR_HTTP2_STREAM_ERROR') return rstStreamCode((error as { message?: unknown }).message)
    if (code.startsWith('HPE_')) return 'http_protocol_error'
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls_protocol_error'
    if (code.startsWith('CERT_')) return 'tls_certificate_error'
  }
  if (name === 'HTTPParserError') return 'http_protocol_error'
  return undefined
}

/** The failure kind of an HTTP/2 stream reset, from the error code its message names. */
function rstStreamCode(message: unknown): FailureCode {
  const name = typeof message === 'string' ? RST_STREAM_CODE.exec(message)?.[0] : undefined
  return (name === undefined ? undefined : RST_STREAM_CODES[name]) ?? 'connection_terminated'
}

/** The next error to look at: `cause`, or the first of an `AggregateError`'s errors. */
function nextCause(error: object): unknown {
  const { cause, errors } = error as { cause?: unknown; errors?: unknown }
  if (cause !== undefined) return cause
  if (Array.isArray(errors)) return errors[0]
  return undefined
}
