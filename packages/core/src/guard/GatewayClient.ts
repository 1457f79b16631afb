import type { Readable } from 'node:stream'
import { type Dispatcher, Headers as UndiciHeaders, fetch as undiciFetch } from 'undici'
import { classify } from '../errors/classify.js'
import { type GatewayError, isGatewayError } from '../errors/GatewayError.js'
import type { HeaderRecord } from '../http/headerRecord.js'
import { headerRecord } from '../http/headerRecord.js'
import { http2Fields, isConnectionSpecific } from '../http/http2Fields.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { LightSignal } from '../seam/LightSignal.js'
import type { Origins } from '../targets/Origins.js'
import { forward, type ResponseShape } from '../upstream/forward.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import { bodyReplayable, ReplayableBody } from '../upstream/ReplayableBody.js'
import { sendUpstream, UPSTREAM_RESPONSE } from '../upstream/sendUpstream.js'
import type { UpstreamBody } from '../upstream/UpstreamBody.js'
import type { UpstreamResponse } from '../upstream/UpstreamExchange.js'
import { type CallUrls, callTarget } from './CallUrls.js'

/** Options of {@link GatewayClient.request}. */
export interface ClientRequestOptions {
  /** @default 'GET' */
  method?: string
  /** Request headers: a record, or a flat `[name, value, …]` list. */
  headers?: Record<string, string | string[]> | string[]
  /** Request body. A stream is replayable for retries up to `retry.bodyLimit` bytes. */
  body?: string | Buffer | Uint8Array | Readable | null
}

/** The response of {@link GatewayClient.request}. */
export interface ClientResponse {
  /** The upstream's status: a 4xx/5xx is its answer, not a failure. */
  readonly statusCode: number
  /** Lower-case names, repeated fields as arrays. */
  readonly headers: HeaderRecord
  /** The body, streaming; or whole with `text()`, `json()`, `arrayBuffer()`. */
  readonly body: UpstreamBody
}

/**
 * The client each guarded request carries (`req.gateway`, `ctx.gateway`, `request.gateway`) for its
 * upstream calls. Every call gets the configured phase timeouts and retries, and the *remaining*
 * time of the request's `timeout.total`; when that deadline passes or the client leaves, in-flight
 * calls are aborted. Upstream failures reject with a `GatewayError`, which the gateway answers as
 * 502/504.
 */
export interface GatewayClient {
  /**
   * undici-style request: the fast call. Resolves at the response headers with the body streaming.
   * Phase timeouts run on the gateway's own timer, at any resolution.
   */
  request(url: string | URL, options?: ClientRequestOptions): Promise<ClientResponse>
  /**
   * The familiar `fetch` (undici's), with this request's deadline, retries and the gateway's pool.
   * It costs more per call than `request`; its connect/headers/body timeouts are undici's (about one
   * second of resolution), the deadline is the gateway's.
   */
  fetch(input: string | URL, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>
  /** Aborts when the request's deadline passes or the client leaves: hand it to other clients too. */
  readonly signal: AbortSignal
  /** Milliseconds left until the request's deadline (`Infinity` without `timeout.total`). */
  remaining(): number
}

/** What a client needs of its gateway and its request. */
export interface ClientContext {
  /** The gateway's options, budget and lifecycle: the attempt loop's. */
  readonly gateway: GatewayContext
  readonly dispatcher: Dispatcher
  readonly deadline: number
  /** Aborts in-flight calls when the request's deadline passes or its client leaves. */
  readonly signal: LightSignal
  /** Told of the failure a call rejects with (its attempts were told to the event seam already). */
  readonly failed: (error: GatewayError) => void
  /** The guarded request's id, forwarded as `X-Request-Id` so logs on both sides correlate. */
  readonly requestId: () => string
  /** The guarded request's header lines as received, for observers (a tracer's incoming `traceparent`). */
  readonly clientHeaders: readonly string[] | undefined
  /** The guarded request's own logger (see `GatewayRequest.log`). */
  readonly log?: GatewayLogger | undefined
  /** The gateway's parsed call URLs (see `CallUrls`). */
  readonly urls: CallUrls
  /** Each origin's queue and limit (`concurrency`, `timeout.queue`, `limits.queue`), at most `limits.origins` of them. */
  readonly origins: Origins
}

/** Create the client for one guarded request. */
export function createGatewayClient(context: ClientContext): GatewayClient {
  return new RequestClient(context)
}

/** The client of one guarded request: a class, so that a request costs one object rather than a closure per method. */
class RequestClient implements GatewayClient {
  constructor(private readonly context: ClientContext) {}

  get signal(): AbortSignal {
    return this.context.signal.signal
  }

  remaining(): number {
    return this.context.deadline - performance.now()
  }

  async request(input: string | URL, init: ClientRequestOptions = {}): Promise<ClientResponse> {
    const context = this.context
    const { options } = context.gateway
    const { origin, path, target } = context.urls.get(input)
    const method = init.method === undefined ? 'GET' : init.method.toUpperCase()
    const headers = withRequestId(init.headers, context.requestId)
    const body =
      init.body === undefined || init.body === null
        ? null
        : typeof init.body === 'string' || init.body instanceof Uint8Array
          ? init.body
          : new ReplayableBody(init.body, options.retry?.bodyLimit ?? 0, undefined)
    const attempts = {
      body,
      timeout: options.timeout,
      deadline: context.deadline,
      signal: context.signal,
      verifyLength: options.http2,
    }
    const route = { origin, path, method, headers: options.http2 ? http2Fields(headers) : headers }
    const where = () => ({ path, target: origin, requestId: context.requestId(), log: context.log })
    let response: UpstreamResponse
    const destination = context.origins.acquire(target)
    try {
      ;({ response } = await forward(context.gateway, {
        method,
        idempotencyKey: hasIdempotencyKey(headers),
        deadline: context.deadline,
        signal: context.signal,
        shape: UPSTREAM_RESPONSE,
        pick: () => destination,
        send: (attempt) => sendUpstream(attempts, attempt, route),
        replayable: () => bodyReplayable(body),
        where,
        clientHeaders: context.clientHeaders,
      }))
    } catch (error) {
      if (isGatewayError(error)) context.failed(error)
      throw error
    } finally {
      context.origins.release(destination)
    }
    const raw = response.rawHeaders
    const flat: string[] = new Array(raw.length)
    for (let i = 0; i < raw.length; i++) flat[i] = (raw[i] as Buffer).toString('latin1')
    return { statusCode: response.statusCode, headers: headerRecord(flat), body: response.body }
  }

  async fetch(input: string | URL, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch> {
    const context = this.context
    const url = new URL(String(input))
    const method = (init?.method ?? 'GET').toUpperCase()
    const path = url.pathname + url.search
    const where = () => ({ path, target: url.origin, requestId: context.requestId(), log: context.log })
    const signal = init?.signal ? linkedSignal(this.signal, init.signal) : this.signal
    const body = init?.body
    const replayable = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
    const destination = context.origins.acquire(callTarget(url))
    const http2 = context.gateway.options.http2
    try {
      const { response } = await forward(context.gateway, {
        method,
        idempotencyKey: hasIdempotencyKey(init?.headers),
        deadline: context.deadline,
        signal,
        shape: FETCH_RESPONSE,
        pick: () => destination,
        // undici's fetch, as one attempt: its redirects and decoding, the gateway's dispatcher and signal
        send: async (attempt) => {
          const headers = new UndiciHeaders(init?.headers)
          if (!headers.has('x-request-id')) headers.set('x-request-id', context.requestId())
          if (http2)
            for (const [name, value] of [...headers]) if (isConnectionSpecific(name, value)) headers.delete(name)
          const own = attempt.headers
          if (own !== undefined)
            for (let i = 0; i < own.length; i += 2) headers.set(own[i] as string, own[i + 1] as string)
          try {
            const response = await undiciFetch(input, { ...init, headers, dispatcher: context.dispatcher, signal })
            // undici's fetch does not say when its body ends: its place in the origin's queue is
            // held to the response headers (request()'s to the end of the body)
            attempt.finished()
            return response
          } catch (error) {
            if (signal.aborted) throw signal.reason
            throw classify(error) ?? error
          }
        },
        replayable: () => replayable,
        where,
        clientHeaders: context.clientHeaders,
      })
      return response
    } catch (error) {
      if (isGatewayError(error)) context.failed(error)
      throw error
    } finally {
      context.origins.release(destination)
    }
  }
}

/** How the attempt loop reads a `fetch` response. */
const FETCH_RESPONSE: ResponseShape<Awaited<ReturnType<typeof undiciFetch>>> = {
  status: (response) => response.status,
  started: (_response, attempt) => {
    attempt.firstByte = performance.now()
  },
  retryAfter: (response) => response.headers.get('retry-after') ?? undefined,
  discard: async (response) => {
    try {
      await response.body?.cancel()
    } catch {
      // a broken discarded body only costs its connection
    }
  },
}

/** The call's headers with the request's `X-Request-Id` added, unless the route set one itself. */
function withRequestId(
  headers: ClientRequestOptions['headers'],
  requestId: () => string,
): Record<string, string | string[]> | string[] {
  if (headers === undefined) return { 'x-request-id': requestId() }
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'x-request-id') return headers
    return [...headers, 'x-request-id', requestId()]
  }
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'x-request-id') return headers
  return { ...headers, 'x-request-id': requestId() }
}

/** Whether headers in any of the usual shapes carry an `Idempotency-Key`. */
function hasIdempotencyKey(headers: unknown): boolean {
  if (headers === null || headers === undefined) return false
  if (Array.isArray(headers)) {
    return headers.some((entry, i) =>
      Array.isArray(entry)
        ? String(entry[0]).toLowerCase() === 'idempotency-key'
        : i % 2 === 0 && String(entry).toLowerCase() === 'idempotency-key',
    )
  }
  if (typeof (headers as { has?: unknown }).has === 'function') return (headers as Headers).has('idempotency-key')
  return Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key')
}

/** A signal that aborts with either of two (without `AbortSignal.any`, slow and leaky on Node 20). */
function linkedSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController()
  const abortA = () => controller.abort(a.reason)
  const abortB = () => controller.abort(b.reason)
  if (a.aborted) abortA()
  else if (b.aborted) abortB()
  else {
    a.addEventListener('abort', abortA, { once: true })
    b.addEventListener('abort', abortB, { once: true })
    controller.signal.addEventListener('abort', () => {
      a.removeEventListener('abort', abortA)
      b.removeEventListener('abort', abortB)
    })
  }
  return controller.signal
}
