import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import type { AbortSignalLike } from './AbortSignalLike.js'
import type { GatewayLogger } from './GatewayLogger.js'
import { type ClientUpgrade, clientUpgrade } from './routeUpgrade.js'

/**
 * What a body parser mounted before the gateway made of the request body, as the adapter found it
 * (the core decides what may be forwarded: see the `reserializeBody` option).
 */
export interface ParsedBody {
  /**
   * The bytes the parser read, after its content decoding, when it kept them: Express's `req.rawBody`
   * (set by the parsers' `verify` hook), `@koa/bodyparser`'s `ctx.request.rawBody` (text, UTF-8).
   */
  readonly raw: Buffer | string | undefined
  /** What the parser made of them (`req.body`, `ctx.request.body`); `undefined` when it made nothing. */
  readonly value: unknown
}

/**
 * The request side of the one seam between the core and the framework adapters: a plain Node
 * request, with the mount path the framework stripped.
 */
export interface GatewayRequest {
  /** Request method, as received. */
  readonly method: string
  /** Request-target after the mount path, with the query string: `/users?id=1`. */
  readonly url: string
  /** The mount path the framework stripped (`''` when none), for rewriting redirects. */
  readonly mountPath: string
  /** Header lines as received: `[name, value, name, value, …]` (Node's `rawHeaders`). */
  readonly rawHeaders: readonly string[]
  /** `1.1`, `1.0` or `2.0`. */
  readonly httpVersion: string
  /** The request body as it streams in. */
  readonly body: Readable
  /** Whether the request carries a body (`Content-Length` > 0 or `Transfer-Encoding`). */
  readonly hasBody: boolean
  /** The direct peer's address. */
  readonly remoteAddress: string | undefined
  /** Whether the client connection is TLS. */
  readonly encrypted: boolean
  /** Aborts when the client goes away before the response is complete. */
  readonly signal: AbortSignalLike
  /** An upgrade request's connection, when the server's upgrade listener routed it (see `routeUpgrade`). */
  readonly upgrade?: ClientUpgrade | undefined
  /** What a body parser before the gateway left on the request, when one ran (Express, Koa). */
  readonly parsedBody?: ParsedBody | undefined
  /**
   * The request's own logger, which the gateway's records about this request go to in place of the
   * `logger` option's (Fastify's `request.log`, carrying the app's request id); `undefined`: the
   * option's. Only a logger the gateway writes to anyway: it adds no record.
   */
  readonly log?: GatewayLogger | undefined
}

/** What an adapter knows beyond the Node request itself. */
export interface NodeRequestContext {
  /** Request-target after the mount path (Express: `req.url`; Koa: `ctx.url`). */
  url: string
  /** The mount path the framework stripped. */
  mountPath: string
  /** Aborts when the client goes away (see {@link clientGoneSignal}). */
  signal: AbortSignalLike
  /**
   * What a body parser before the gateway left on the request (Koa: `ctx.request.body`), or a
   * function that reads it from `req` (Express), called only for a request that declares a body: the
   * core looks at what a parser left only when the body was read before it, and on Express every
   * field read on `req` is an inline-cache miss.
   */
  parsedBody?: ParsedBody | ((req: IncomingMessage) => ParsedBody | undefined) | undefined
  /** The request's own logger (see {@link GatewayRequest.log}). */
  log?: GatewayLogger | undefined
}

/** Build the core's request from a Node request. */
export function fromNodeRequest(req: IncomingMessage, context: NodeRequestContext): GatewayRequest {
  const rawHeaders = req.rawHeaders
  const declared = declaredFields(rawHeaders)
  const socket = req.socket
  const hasBody = (declared & HAS_BODY) !== 0
  const parsed = context.parsedBody
  return {
    method: req.method ?? 'GET',
    url: context.url,
    mountPath: context.mountPath,
    rawHeaders,
    httpVersion: req.httpVersion,
    body: req,
    hasBody,
    remoteAddress: socket.remoteAddress,
    encrypted: (socket as { encrypted?: boolean }).encrypted === true,
    signal: context.signal,
    // only an upgrade request (it has an `Upgrade` field) can have been routed with its connection:
    // the lookup is skipped for the rest, since a property `req` lacks is the dearest read on
    // Express's per-request hidden class (the whole prototype chain, uncached)
    upgrade: (declared & HAS_UPGRADE) !== 0 ? clientUpgrade(req) : undefined,
    parsedBody: typeof parsed === 'function' ? (hasBody ? parsed(req) : undefined) : parsed,
    log: context.log,
  }
}

/**
 * What the header lines declare, as {@link HAS_BODY} and {@link HAS_UPGRADE} bits: a body (a
 * `Transfer-Encoding`, or a `Content-Length` other than `0`: the first one, as `req.headers` keeps
 * it) and an `Upgrade` field. Read from the raw lines rather than `req.headers`, which Node builds on
 * first read: nothing else on a proxied request reads it, and on Express (whose `req` gets a map of
 * its own every request) building it is a dozen inline-cache misses.
 */
function declaredFields(raw: readonly string[]): number {
  let length: string | undefined
  let declared = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === TRANSFER_ENCODING.length && name.toLowerCase() === TRANSFER_ENCODING) declared |= HAS_BODY
    else if (length === undefined && name.length === CONTENT_LENGTH.length && name.toLowerCase() === CONTENT_LENGTH) {
      length = raw[i + 1]
    } else if (name.length === UPGRADE.length && name.toLowerCase() === UPGRADE) declared |= HAS_UPGRADE
  }
  if (length !== undefined && length !== '0') declared |= HAS_BODY
  return declared
}

/** {@link declaredFields}: the request declares a body. */
const HAS_BODY = 1
/** {@link declaredFields}: the request has an `Upgrade` field. */
const HAS_UPGRADE = 2
const TRANSFER_ENCODING = 'transfer-encoding'
const CONTENT_LENGTH = 'content-length'
const UPGRADE = 'upgrade'
