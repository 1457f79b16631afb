import type { Readable } from 'node:stream'
import { type Dispatcher, Headers as UndiciHeaders, fetch as undiciFetch } from 'undici'
import { classify } from '../errors/classify.js'
import type { GatewayError } from '../errors/GatewayError.js'
import type { FailureContext, RetryContext } from '../events/FailureContext.js'
import type { HeaderRecord } from '../http/headerRecord.js'
import { headerRecord } from '../http/headerRecord.js'
import type { ResolvedTarget } from '../options/resolveOptions.js'
import type { LightSignal } from '../seam/LightSignal.js'
import type { Destination } from '../targets/TargetSet.js'
import { forward, type ResponseShape } from '../upstream/forward.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import { bodyReplayable, ReplayableBody } from '../upstream/ReplayableBody.js'
import { sendUpstream, UPSTREAM_RESPONSE } from '../upstream/sendUpstream.js'
import type { UpstreamBody } from '../upstream/UpstreamBody.js'

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
  readonly report: (error: GatewayError, context: FailureContext) => void
  readonly retrying: (context: RetryContext) => void
  /** The guarded request's id, forwarded as `X-Request-Id` so logs on both sides correlate. */
  readonly requestId: () => string
  /** The gateway's parsed call URLs (see {@link CallUrls}). */
  readonly urls: CallUrls
}

/** A call URL, parsed once: what `request()` needs of it. */
interface CallUrl {
  readonly origin: string
  readonly path: string
  readonly destination: Destination
}

/** How many parsed call URLs a gateway keeps; when full it starts over. */
const CALL_URL_CACHE_SIZE = 512

/**
 * The URLs a gateway's routes call, parsed once: routes mostly call the same few URLs, and parsing
 * one (and making its destination) on every call is work that can be done once.
 */
export class CallUrls {
  private readonly parsed = new Map<string, CallUrl>()

  constructor(private readonly dispatcher: Dispatcher) {}

  get(input: string | URL): CallUrl {
    if (typeof input !== 'string') return this.parse(input)
    let url = this.parsed.get(input)
    if (url === undefined) {
      url = this.parse(new URL(input))
      if (this.parsed.size >= CALL_URL_CACHE_SIZE) this.parsed.clear()
      this.parsed.set(input, url)
    }
    return url
  }

  private parse(url: URL): CallUrl {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`gateway.request expected an http: or https: URL, got ${JSON.stringify(url.protocol)}`)
    }
    const target: ResolvedTarget = { origin: url.origin, basePath: '', url }
    return {
      origin: url.origin,
      path: url.pathname + url.search,
      destination: { target, dispatcher: this.dispatcher, circuit: undefined },
    }
  }
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
    const { origin, path, destination } = context.urls.get(input)
    const method = init.method === undefined ? 'GET' : init.method.toUpperCase()
    const headers = withRequestId(init.headers, context.requestId)
    const body =
      init.body === undefined || init.body === null
        ? null
        : typeof init.body === 'string' || init.body instanceof Uint8Array
          ? init.body
          : new ReplayableBody(init.body, options.retry?.bodyLimit ?? 0, undefined)
    const attempts = { body, timeout: options.timeout, deadline: context.deadline, signal: context.signal }
    const route = { origin, path, method, headers }
    const report = (error: GatewayError, _destination: unknown, attempt: number) =>
      context.report(error, { method, path, target: origin, attempt })
    const { response } = await forward(context.gateway, {
      method,
      idempotencyKey: hasIdempotencyKey(headers),
      deadline: context.deadline,
      signal: context.signal,
      shape: UPSTREAM_RESPONSE,
      pick: () => destination,
      send: (at, attempt) => sendUpstream(attempts, at, route, (error) => report(error, at, attempt)),
      replayable: () => bodyReplayable(body),
      report,
      retrying: (_destination, retry) => context.retrying({ ...retry, method, path, target: origin }),
    })
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
    const signal = init?.signal ? linkedSignal(this.signal, init.signal) : this.signal
    const body = init?.body
    const replayable = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
    const destination: Destination = {
      target: { origin: url.origin, basePath: '', url },
      dispatcher: context.dispatcher,
      circuit: undefined,
    }
    const { response } = await forward(context.gateway, {
      method,
      idempotencyKey: hasIdempotencyKey(init?.headers),
      deadline: context.deadline,
      signal,
      shape: FETCH_RESPONSE,
      pick: () => destination,
      // undici's fetch, as one attempt: its redirects and decoding, the gateway's dispatcher and signal
      send: async () => {
        const headers = new UndiciHeaders(init?.headers)
        if (!headers.has('x-request-id')) headers.set('x-request-id', context.requestId())
        try {
          return await undiciFetch(input, { ...init, headers, dispatcher: context.dispatcher, signal })
        } catch (error) {
          if (signal.aborted) throw signal.reason
          throw classify(error) ?? error
        }
      },
      replayable: () => replayable,
      report: (error, _destination, attempt) => context.report(error, { method, path, target: url.origin, attempt }),
      retrying: (_destination, retry) => context.retrying({ ...retry, method, path, target: url.origin }),
    })
    return response
  }
}

/** How the attempt loop reads a `fetch` response. */
const FETCH_RESPONSE: ResponseShape<Awaited<ReturnType<typeof undiciFetch>>> = {
  status: (response) => response.status,
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
