/**
 * The failure table: every way an upstream call can fail, as one row each.
 *
 * Codes are RFC 9209 `Proxy-Status` error types, so the code *is* what goes on the wire. Statuses are
 * RFC 9209's recommendations. `reached` says whether the request may have reached the upstream,
 * which decides whether a non-idempotent request may be retried:
 * - `no`: nothing reached the upstream (safe to retry for any method);
 * - `maybe`: the request may have been delivered (retry only idempotent requests);
 * - `yes`: the upstream received the request.
 *
 * Some rows are the client's failures, not the upstream's, keyed `request_*`: a body over
 * `limits.body`, a body that did not arrive before the deadline, a `Host` field that is not exactly
 * one valid field. Their `Proxy-Status` type is `http_request_error`, and they are never retried. One
 * row is a request the gateway refuses by policy (`TRACE`): its type is `http_request_denied`. The
 * refusals are raised at admission, before the attempt loop, so nothing of them reaches an upstream.
 *
 * `ejects` marks the failures to connect (refused, connect timeout, DNS) that count towards ejecting
 * a target from the pool of healthy ones: not resets or slow answers, which a connected target gives.
 */
export const FAILURES = {
  dns_error: {
    ejects: true,
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The upstream host name could not be resolved.',
  },
  dns_timeout: {
    ejects: true,
    status: 504,
    reached: 'no',
    title: 'Gateway Timeout',
    summary: 'Resolving the upstream host name timed out.',
  },
  destination_ip_unroutable: {
    ejects: true,
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The upstream address is unreachable.',
  },
  connection_refused: {
    ejects: true,
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The upstream server refused the connection.',
  },
  connection_timeout: {
    ejects: true,
    status: 504,
    reached: 'no',
    title: 'Gateway Timeout',
    summary: 'Connecting to the upstream server timed out.',
  },
  tls_protocol_error: {
    ejects: false,
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The TLS handshake with the upstream server failed.',
  },
  tls_certificate_error: {
    ejects: false,
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The upstream server presented a certificate that could not be verified.',
  },
  connection_terminated: {
    ejects: false,
    status: 502,
    reached: 'maybe',
    title: 'Bad Gateway',
    summary: 'The upstream connection closed before a response arrived.',
  },
  // HTTP/2: REFUSED_STREAM (RFC 9113 §8.7) says the upstream closed the stream before any processing,
  // so it is safe to send again, whatever the method; RFC 9209 has no type of its own for it
  stream_refused: {
    ejects: false,
    proxyStatus: 'connection_terminated',
    status: 502,
    reached: 'no',
    title: 'Bad Gateway',
    summary: 'The upstream server refused the request before processing it.',
  },
  http_response_timeout: {
    ejects: false,
    status: 504,
    reached: 'yes',
    title: 'Gateway Timeout',
    summary: 'The upstream server did not answer in time.',
  },
  http_protocol_error: {
    ejects: false,
    status: 502,
    reached: 'yes',
    title: 'Bad Gateway',
    summary: 'The upstream server sent an invalid HTTP response.',
  },
  http_response_header_section_size: {
    ejects: false,
    status: 502,
    reached: 'yes',
    title: 'Bad Gateway',
    summary: 'The upstream response headers were too large.',
  },
  http_response_incomplete: {
    ejects: false,
    status: 502,
    reached: 'yes',
    title: 'Bad Gateway',
    summary: 'The upstream response ended before it was complete.',
  },
  destination_unavailable: {
    ejects: false,
    status: 503,
    reached: 'no',
    title: 'Service Unavailable',
    summary: 'No upstream server is available right now.',
  },
  connection_limit_reached: {
    ejects: false,
    status: 503,
    reached: 'no',
    title: 'Service Unavailable',
    summary: 'The gateway is already sending the upstream server as many requests as it takes at a time.',
  },
  http_upgrade_failed: {
    ejects: false,
    status: 502,
    reached: 'yes',
    title: 'Bad Gateway',
    summary: 'The upstream server switched to another protocol than the one asked for.',
  },
  upgrade_not_hooked: {
    ejects: false,
    proxyStatus: 'proxy_configuration_error',
    status: 501,
    reached: 'no',
    title: 'Not Implemented',
    summary: "WebSocket upgrades are not routed to this gateway: the server's upgrade hook is missing.",
  },
  proxy_internal_error: {
    ejects: false,
    status: 500,
    reached: 'no',
    title: 'Internal Server Error',
    summary: 'The gateway is misconfigured.',
  },
  request_body_too_large: {
    ejects: false,
    proxyStatus: 'http_request_error',
    status: 413,
    reached: 'yes',
    title: 'Content Too Large',
    summary: 'The request body is larger than this gateway accepts.',
  },
  request_timeout: {
    ejects: false,
    proxyStatus: 'http_request_error',
    status: 408,
    reached: 'yes',
    title: 'Request Timeout',
    summary: 'The request body did not arrive in time.',
  },
  // RFC 9112 §3.2: a server MUST answer 400 to more than one Host field line or an invalid Host value
  request_host_invalid: {
    ejects: false,
    proxyStatus: 'http_request_error',
    status: 400,
    reached: 'no',
    title: 'Bad Request',
    summary: 'The request must have exactly one valid Host header field.',
  },
  // TRACE (cross-site tracing), unless `allowTrace`; a gateway acts as the origin server towards
  // the client, so its 405 carries the Allow RFC 9110 §15.5.6 requires: the methods it passes on
  request_method_not_allowed: {
    ejects: false,
    proxyStatus: 'http_request_denied',
    status: 405,
    reached: 'no',
    title: 'Method Not Allowed',
    summary: 'This gateway does not pass requests with this method on.',
    allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH',
  },
} as const satisfies Record<string, FailureRow>

/** One row of {@link FAILURES}. */
export interface FailureRow {
  /** The RFC 9209 `Proxy-Status` error type sent for it: the code itself, except for the client's requests. */
  readonly proxyStatus?: string
  /** Whether it is a failure to connect, counted towards ejecting the target. */
  readonly ejects: boolean
  /** Status the gateway answers with when the failure happens before response headers went out. */
  readonly status: number
  /** Whether the request may have reached the upstream. */
  readonly reached: 'no' | 'maybe' | 'yes'
  /** Status reason phrase. */
  readonly title: string
  /** The `Allow` header a 405 carries: the methods the gateway passes on. */
  readonly allow?: string
  /** One sentence for people, naming no host, port or errno. */
  readonly summary: string
}

/** A failure kind: an RFC 9209 `Proxy-Status` error type. */
export type FailureCode = keyof typeof FAILURES

/** Whether `code` is a row of the failure table. */
export function isFailureCode(code: unknown): code is FailureCode {
  return typeof code === 'string' && Object.hasOwn(FAILURES, code)
}

/** The RFC 9209 `Proxy-Status` error type of a failure kind. */
export function proxyStatusType(code: FailureCode): string {
  const row: FailureRow = FAILURES[code]
  return row.proxyStatus ?? code
}
