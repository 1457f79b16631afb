import type { FailureCode } from './failures.js'
import type { GatewayError } from './GatewayError.js'
import type { GatewayRequest } from './GatewayRequest.js'

/** A timeout in ms, or `false` to turn that phase's timeout off. */
export type TimeoutMs = number | false

/** Timeouts by phase, in ms. Each one is enforced by the gateway's own timer, at any resolution. */
export interface TimeoutOptions {
  /**
   * TCP + TLS connect, including the wait for a free pooled connection.
   * @default 5000
   */
  connect?: TimeoutMs
  /**
   * From the request being fully sent to the response headers. Time the client spends uploading
   * does not count.
   * @default 30000
   */
  headers?: TimeoutMs
  /**
   * Longest silence of the upstream while the response body streams (a slow client's backpressure
   * does not count).
   * @default 30000
   */
  idle?: TimeoutMs
  /**
   * Deadline from the request's arrival to the upstream's response headers.
   * @default 60000
   */
  total?: TimeoutMs
}

/** Header fields as plain data: lower-case names, several values as an array. */
export type HeaderRecord = Record<string, string | string[]>

/** TLS settings for `https:` targets. Certificates are verified by default. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM), replacing Node's bundled list. */
  ca?: string | Buffer | Array<string | Buffer>
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Buffer
  /** SNI name and the name the certificate must match. @default the target's host name */
  servername?: string
  /**
   * Verify the upstream's certificate. Turn off only for local development.
   * @default true
   */
  rejectUnauthorized?: boolean
}

/** Upstream connection pool settings, per target. */
export interface PoolOptions {
  /**
   * Most open connections per target; requests beyond it wait for a free connection
   * (the wait counts against `timeout.connect`).
   * @default 128
   */
  connections?: number
  /**
   * How long an idle keep-alive connection is kept, in ms.
   * @default 4000
   */
  keepAliveTimeout?: number
}

/** What `onError` is told besides the error. Holds nothing secret. */
export interface FailureContext {
  /** The client's request method. */
  method: string
  /** The path sent upstream (without the query string). */
  path: string
  /** The target's origin, as configured. */
  target: string
}

/** Options of `gatewayMiddleware()` in every framework. */
export interface GatewayOptions {
  /**
   * The upstream to forward to: an `http:` or `https:` URL, optionally with a path prefix. Without
   * it the gateway runs in guard mode: it guards the routes it wraps, handing each request a client
   * for its upstream calls and turning upstream failures into 502/504.
   */
  target?: string | URL
  /** Timeouts by phase, in ms; `false` turns one off. */
  timeout?: TimeoutOptions
  /**
   * Change the path sent upstream (after the mount path is stripped, before the target's path
   * prefix is joined). It can never change the target origin.
   */
  rewritePath?: (path: string) => string
  /**
   * Send the client's `Host` upstream instead of the target's.
   * @default false
   */
  preserveHost?: boolean
  /**
   * Which peers are trusted to send `X-Forwarded-*` and `Forwarded` (as Express's `trust proxy`):
   * `true` for all, addresses/CIDRs/`loopback`/`uniquelocal`, or a function. Untrusted values are
   * replaced, not appended to.
   * @default false
   */
  trustProxy?: boolean | string | string[] | ((address: string, hop: number) => boolean)
  /**
   * Name of this gateway in `Via` and `Proxy-Status` (an HTTP token).
   * @default 'gateway-middleware'
   */
  proxyName?: string
  /** Change the headers sent upstream; runs after the hop-by-hop rules, which then apply again. */
  rewriteRequestHeaders?: (headers: HeaderRecord, request: GatewayRequest) => HeaderRecord
  /** Change the headers sent to the client; runs after the hop-by-hop rules, which then apply again. */
  rewriteResponseHeaders?: (headers: HeaderRecord, request: GatewayRequest) => HeaderRecord
  /** Upstream connection pool. */
  pool?: PoolOptions
  /** TLS to `https:` targets. */
  tls?: TlsOptions
  /** Told of every upstream failure (for logs and metrics); must not throw. */
  onError?: (error: GatewayError, context: FailureContext) => void
  /**
   * Guard mode: override the decision whether an error a route raised is an upstream failure.
   * Return a failure code (or a `GatewayError`) to answer as that failure, `false` for "not an
   * upstream failure" (the framework's 500), or `undefined` to keep the built-in decision, which
   * is passed in.
   */
  classifyError?: (error: unknown, decision: GatewayError | undefined) => GatewayError | FailureCode | false | undefined
}
