/** Connect (TCP + TLS) timeout, in ms: Envoy's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
/** Request sent → response headers, in ms. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000
/** Longest upstream silence while the response body streams, in ms. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000
/** Request arrival → response headers, shared by all attempts, in ms. */
export const DEFAULT_TOTAL_TIMEOUT_MS = 60_000
/** Most open connections per target; more requests queue for a free one. */
export const DEFAULT_CONNECTIONS = 128
/** How long an idle pooled upstream connection is kept, in ms (shorter than Node servers' 5 s). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 4_000
/** Name of this gateway in `Via` and `Proxy-Status`. */
export const DEFAULT_PROXY_NAME = 'gateway-middleware'
