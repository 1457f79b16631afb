import type { Readable } from 'node:stream'
import { type Dispatcher, fetch as undiciFetch } from 'undici'
import { classify } from './classify.js'
import type { GatewayError } from './GatewayError.js'
import { headerRecord } from './headerRecord.js'
import type { HeaderRecord } from './options.js'
import type { UpstreamBody } from './UpstreamBody.js'
import { callUpstream } from './UpstreamCall.js'

/** Options of {@link GatewayClient.request}. */
export interface ClientRequestOptions {
  /** @default 'GET' */
  method?: string
  /** Request headers: a record, or a flat `[name, value, …]` list. */
  headers?: Record<string, string | string[]> | string[]
  /** Request body. */
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
 * upstream calls. Every call gets the configured phase timeouts and the *remaining* time of the
 * request's `timeout.total`; when that deadline passes or the client leaves, in-flight calls are
 * aborted. Upstream failures reject with a `GatewayError`, which the gateway answers as 502/504.
 */
export interface GatewayClient {
  /**
   * undici-style request: the fast call. Resolves at the response headers with the body streaming.
   * Phase timeouts run on the gateway's own timer, at any resolution.
   */
  request(url: string | URL, options?: ClientRequestOptions): Promise<ClientResponse>
  /**
   * The familiar `fetch` (undici's), with this request's deadline and the gateway's pool. It costs
   * more per call than `request`; its connect/headers/body timeouts are undici's (about one second
   * of resolution), the deadline is the gateway's.
   */
  fetch(input: string | URL, init?: Parameters<typeof undiciFetch>[1]): ReturnType<typeof undiciFetch>
  /** Aborts when the request's deadline passes or the client leaves: hand it to other clients too. */
  readonly signal: AbortSignal
  /** Milliseconds left until the request's deadline (`Infinity` without `timeout.total`). */
  remaining(): number
}

/** What a client needs of its gateway and its request. */
export interface ClientContext {
  readonly dispatcher: Dispatcher
  readonly timeout: { readonly connect: number; readonly headers: number; readonly idle: number }
  readonly deadline: number
  readonly signal: AbortSignal
  readonly report: (error: GatewayError, method: string, path: string) => void
}

/** Create the client for one guarded request. */
export function createGatewayClient(context: ClientContext): GatewayClient {
  return {
    signal: context.signal,
    remaining: () => context.deadline - performance.now(),
    async request(input, options = {}) {
      const url = typeof input === 'string' ? new URL(input) : input
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new TypeError(`gateway.request expected an http: or https: URL, got ${JSON.stringify(url.protocol)}`)
      }
      const method = options.method ?? 'GET'
      const path = url.pathname + url.search
      const response = await callUpstream({
        dispatcher: context.dispatcher,
        request: {
          origin: url.origin,
          path,
          method,
          headers: options.headers ?? null,
          body: options.body ?? null,
        },
        timeout: context.timeout,
        deadline: context.deadline,
        signal: context.signal,
        onFailure: (error) => context.report(error, method, path),
      })
      const raw = response.rawHeaders
      const flat: string[] = new Array(raw.length)
      for (let i = 0; i < raw.length; i++) flat[i] = (raw[i] as Buffer).toString('latin1')
      return { statusCode: response.statusCode, headers: headerRecord(flat), body: response.body }
    },
    async fetch(input, init) {
      const signal = init?.signal ? linkedSignal(context.signal, init.signal) : context.signal
      try {
        return await undiciFetch(input, { ...init, dispatcher: context.dispatcher, signal })
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason
        const failure = classify(error)
        if (failure === undefined) throw error
        const url = new URL(String(input))
        context.report(failure, init?.method ?? 'GET', url.pathname + url.search)
        throw failure
      }
    },
  }
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
