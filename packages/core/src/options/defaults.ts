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
/** Whether HTTP/2 is offered to `https:` upstreams (ALPN); off, every upstream speaks HTTP/1.1 as before. */
export const DEFAULT_HTTP2 = false
/** Whether `TRACE` requests are forwarded (else refused with 405: cross-site tracing). */
export const DEFAULT_ALLOW_TRACE = false
/** Name of this gateway in `Via` and `Proxy-Status`. */
export const DEFAULT_PROXY_NAME = 'gateway-middleware'
/** Most retries after the first attempt. */
export const DEFAULT_RETRY_LIMIT = 2
/** Methods treated as idempotent (RFC 9110 §9.2.2). */
export const DEFAULT_RETRY_METHODS: readonly string[] = Object.freeze([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'TRACE',
])
/** Longest wait before a retry, in ms. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 2_000
/** Request bodies kept for replay, in bytes. */
export const DEFAULT_RETRY_BODY_LIMIT = 64 * 1024
/** Retries in flight as a percentage of active requests (Envoy's budget). */
export const DEFAULT_RETRY_BUDGET_PERCENT = 20
/** Retries in flight always allowed (Envoy's floor). */
export const DEFAULT_RETRY_BUDGET_MIN_CONCURRENCY = 3
/** First backoff step, in ms (Envoy's base interval). */
export const RETRY_BACKOFF_BASE_MS = 25
/** Largest backoff step, in ms (Envoy: ten times the base). */
export const RETRY_BACKOFF_CAP_MS = 250
/** Consecutive failures to connect that eject a target. */
export const DEFAULT_CIRCUIT_FAILURES = 5
/** First rest of an ejected target, in ms. */
export const DEFAULT_CIRCUIT_HALF_OPEN_AFTER_MS = 1_000
/** Longest rest of an ejected target, in ms. */
export const DEFAULT_CIRCUIT_MAX_HALF_OPEN_AFTER_MS = 30_000
/** How long `close()` lets in-flight upstream calls finish, in ms. */
export const DEFAULT_GRACE_PERIOD_MS = 10_000
/** Protocols whose upgrades are always proxied (unless `upgrade: false`). */
export const DEFAULT_UPGRADE_PROTOCOLS: readonly string[] = Object.freeze(['websocket'])
/** `Server-Timing` tells clients about internal latency: off unless asked for. */
export const DEFAULT_SERVER_TIMING = false
/** Time between two health checks of one target, in ms. */
export const DEFAULT_HEALTH_CHECK_INTERVAL_MS = 10_000
/** How long a health check may take, in ms. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2_000
/**
 * Longest wait in the gateway's queue for a target, in ms: a few service times of a typical API.
 * Under lasting overload a longer wait only makes every answer late (measured: with 1000 ms, about
 * a quarter of the upstream's capacity reached clients in time); shedding early keeps the rest fast.
 */
export const DEFAULT_QUEUE_TIMEOUT_MS = 250
/** Most requests waiting in the gateway's queue for one target. */
export const DEFAULT_QUEUE_LIMIT = 1024
/** Where `concurrency: 'adaptive'` starts, per target. */
export const DEFAULT_ADAPTIVE_INITIAL_LIMIT = 10
/** The lowest `concurrency: 'adaptive'` goes, per target. */
export const DEFAULT_ADAPTIVE_MIN_LIMIT = 2
/** Most targets ejected at once for their answers (Envoy's `max_ejection_percent` is 10; with few targets, half). */
export const DEFAULT_CIRCUIT_MAX_EJECTION_PERCENT = 50
/** Methods hedged by default: their second copy cannot change the answer (not PUT or DELETE). */
export const DEFAULT_HEDGE_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'OPTIONS'])
/** Guard mode's calls go directly unless `outboundProxy` says otherwise (the environment is not read). */
export const DEFAULT_OUTBOUND_PROXY = false
/**
 * Most origins a target function (or guard mode) keeps a pool, passive health and queue for: a
 * router over a few dozen backends or tenants fits, and a function whose origins are unbounded
 * still holds at most this many pools (each one up to `pool.connections` sockets).
 */
export const DEFAULT_ORIGIN_LIMIT = 100
/**
 * Most bytes of a response body collected for `rewriteResponseBody`, before and after decoding: a
 * larger body passes through untouched, and still streams.
 */
export const DEFAULT_REWRITE_BODY_LIMIT = 1024 * 1024
/** Whether a body a parser already read is forwarded (else refused with 500: mount the gateway first). */
export const DEFAULT_RESERIALIZE_BODY = false
