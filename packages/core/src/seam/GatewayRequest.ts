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
  /** What a body parser before the gateway left on the request (Express: `req.body`; Koa: `ctx.request.body`). */
  parsedBody?: ParsedBody | undefined
  /** The request's own logger (see {@link GatewayRequest.log}). */
  log?: GatewayLogger | undefined
}

/** Build the core's request from a Node request. */
export function fromNodeRequest(req: IncomingMessage, context: NodeRequestContext): GatewayRequest {
  const rawHeaders = req.rawHeaders
  return {
    method: req.method ?? 'GET',
    url: context.url,
    mountPath: context.mountPath,
    rawHeaders,
    httpVersion: req.httpVersion,
    body: req,
    hasBody: declaresBody(rawHeaders),
    remoteAddress: req.socket.remoteAddress,
    encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
    signal: context.signal,
    upgrade: clientUpgrade(req),
    parsedBody: context.parsedBody,
    log: context.log,
  }
}

/**
 * Whether the header lines declare a body: a `Transfer-Encoding`, or a `Content-Length` other than
 * `0` (the first one, as `req.headers` keeps it). Read from the raw lines rather than `req.headers`,
 * which Node builds on first read: nothing else on a proxied request reads it, and on Express (whose
 * `req` gets a map of its own every request) building it is a dozen inline-cache misses.
 */
function declaresBody(raw: readonly string[]): boolean {
  let length: string | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === TRANSFER_ENCODING.length && name.toLowerCase() === TRANSFER_ENCODING) return true
    if (length === undefined && name.length === CONTENT_LENGTH.length && name.toLowerCase() === CONTENT_LENGTH) {
      length = raw[i + 1]
    }
  }
  return length !== undefined && length !== '0'
}

const TRANSFER_ENCODING = 'transfer-encoding'
const CONTENT_LENGTH = 'content-length'
