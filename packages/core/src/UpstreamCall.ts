import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { classify } from './classify.js'
import { clientResponseHeaders } from './clientResponseHeaders.js'
import { errorResponse } from './errorResponse.js'
import { type FailurePhase, GatewayError } from './GatewayError.js'
import type { GatewayRequest } from './GatewayRequest.js'
import type { GatewayResponse } from './GatewayResponse.js'
import { RequestBody } from './RequestBody.js'
import type { ResolvedOptions } from './resolveOptions.js'
import { upstreamPath } from './upstreamPath.js'
import { type UpstreamRequestHeaders, upstreamRequestHeaders } from './upstreamRequestHeaders.js'

/** Phases of one upstream exchange, in order. */
const CONNECT = 0 // waiting for a connection (queue, DNS, TCP, TLS)
const SEND = 1 // connected, request body still streaming from the client
const HEADERS = 2 // request sent, waiting for response headers
const BODY = 3 // response body streaming
const DONE = 4 // finished, failed or abandoned
type Phase = typeof CONNECT | typeof SEND | typeof HEADERS | typeof BODY | typeof DONE

const PHASE_NAMES: readonly FailurePhase[] = ['connect', 'send', 'headers', 'body', 'body']

/** Header values Node's `ServerResponse` would refuse (it throws on them). */
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/** What the call needs of its gateway. */
export interface CallContext {
  readonly options: ResolvedOptions
  readonly dispatcher: Dispatcher
}

/**
 * One request forwarded upstream: an undici dispatch handler that enforces the phase timeouts with a
 * single timer re-armed per phase, turns failures into the gateway's answer, and streams the
 * response body with backpressure.
 *
 * The timer is ours because undici's own connect, headers and body timers run at about one second
 * of resolution. `timeout.headers` starts when the request is fully sent, so a slow upload is not
 * blamed on the upstream; `timeout.idle` is suspended while the client applies backpressure.
 */
export class UpstreamCall implements Dispatcher.DispatchHandler {
  private phase: Phase = CONNECT
  private timer: NodeJS.Timeout | undefined
  private readonly deadline: number
  private abortUpstream: ((reason?: Error) => void) | undefined
  private resumeUpstream: (() => void) | undefined
  private paused = false
  private failure: GatewayError | Error | undefined
  private body: UpstreamBody | undefined
  private sent: UpstreamRequestHeaders | undefined
  private path = ''

  constructor(
    private readonly context: CallContext,
    private readonly request: GatewayRequest,
    private readonly resolve: (response: GatewayResponse | undefined) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const total = context.options.timeout.total
    this.deadline = total === 0 ? Number.POSITIVE_INFINITY : performance.now() + total
  }

  /** Dispatch the request upstream. Errors in the user's hooks reject (they are bugs: a 500). */
  start(): void {
    const { request, context } = this
    if (request.signal.aborted) {
      this.resolve(undefined)
      return
    }
    try {
      this.path = upstreamPath(request.url, context.options)
      this.sent = upstreamRequestHeaders(request, context.options)
    } catch (error) {
      this.phase = DONE
      this.reject(error)
      return
    }
    request.signal.addEventListener('abort', this.onClientGone)
    this.armBeforeHeaders(context.options.timeout.connect)
    context.dispatcher.dispatch(
      {
        path: this.path,
        method: request.method,
        headers: this.sent.headers,
        body: request.hasBody ? new RequestBody(request.body) : null,
      },
      this,
    )
  }

  // ---- undici's handler interface ----

  onConnect(abort: (reason?: Error) => void): void {
    if (this.phase === DONE) {
      abort(this.failure ?? new Error('abandoned'))
      return
    }
    this.abortUpstream = abort
    this.phase = SEND
    this.armBeforeHeaders(0)
  }

  onRequestSent(): void {
    if (this.phase !== SEND) return
    this.phase = HEADERS
    this.armBeforeHeaders(this.context.options.timeout.headers)
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.phase === DONE) return false
    let headers: GatewayResponse['headers']
    try {
      for (let i = 1; i < rawHeaders.length; i += 2) {
        if (INVALID_HEADER_VALUE.test((rawHeaders[i] as Buffer).toString('latin1'))) {
          throw new GatewayError('http_protocol_error', { phase: 'headers' })
        }
      }
      headers = clientResponseHeaders(
        rawHeaders,
        this.request,
        this.sent as UpstreamRequestHeaders,
        this.context.options,
      )
    } catch (error) {
      this.fail(error instanceof GatewayError ? error : (error as Error))
      return false
    }
    this.phase = BODY
    this.resumeUpstream = resume
    this.body = new UpstreamBody(this)
    this.arm(this.context.options.timeout.idle)
    this.resolve({ status: statusCode, headers, body: this.body, error: undefined })
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.timer !== undefined) this.timer.refresh()
    if ((this.body as UpstreamBody).push(chunk)) return true
    // the client is slow: pause the upstream, and its silence is not idleness
    this.paused = true
    this.clearTimer()
    return false
  }

  onComplete(): void {
    this.finish()
    this.body?.push(null)
  }

  onError(error: Error): void {
    if (this.phase === DONE) return
    if (this.request.signal.aborted) {
      this.abandon()
      return
    }
    const afterHeaders = this.phase === BODY
    const failure = classify(error, { phase: PHASE_NAMES[this.phase], afterHeaders })
    if (failure === undefined && !afterHeaders) {
      // not an upstream failure (an undici InvalidArgumentError is our bug): let the framework 500
      this.finish()
      this.reject(error)
      return
    }
    this.fail(failure ?? error)
  }

  // ---- called by the response body stream ----

  /** The client wants more: resume the upstream and re-arm the idle timer. */
  pull(): void {
    if (!this.paused) return
    this.paused = false
    this.arm(this.context.options.timeout.idle)
    this.resumeUpstream?.()
  }

  /** The response body was destroyed before the upstream finished (client gone, or a failure). */
  bodyDestroyed(error: Error | null): void {
    if (this.phase === DONE) return
    this.finish()
    this.abortUpstream?.(error ?? new Error('client went away'))
  }

  // ---- internals ----

  private readonly onClientGone = (): void => {
    if (this.phase === BODY) this.body?.destroy()
    else this.abandon()
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    const phase = this.phase
    if (phase === DONE) return
    const code = phase === CONNECT ? 'connection_timeout' : 'http_response_timeout'
    this.fail(new GatewayError(code, { phase: PHASE_NAMES[phase], afterHeaders: phase === BODY }))
  }

  /** Fail the call: before headers with the gateway's answer, after headers by cutting the body. */
  private fail(failure: GatewayError | Error): void {
    const wasBody = this.phase === BODY
    this.failure = failure
    this.finish()
    this.abortUpstream?.(failure)
    if (failure instanceof GatewayError) this.report(failure)
    if (wasBody) {
      this.body?.destroy(failure)
    } else if (failure instanceof GatewayError) {
      this.resolve(errorResponse(failure, this.context.options.proxyName, this.request.method))
    } else {
      this.reject(failure)
    }
  }

  /** The client left before response headers: abort upstream, write nothing. */
  private abandon(): void {
    const reason = new Error('client went away')
    this.failure = reason
    this.finish()
    this.abortUpstream?.(reason)
    this.resolve(undefined)
  }

  private finish(): void {
    this.phase = DONE
    this.clearTimer()
    this.request.signal.removeEventListener('abort', this.onClientGone)
  }

  private report(failure: GatewayError): void {
    const onError = this.context.options.onError
    if (onError === undefined) return
    try {
      onError(failure, { method: this.request.method, path: this.path, target: this.context.options.target.origin })
    } catch {
      // a throwing hook must not break the gateway
    }
  }

  /** Arm the timer for a phase before response headers: its own limit or the total deadline. */
  private armBeforeHeaders(phaseMs: number): void {
    const remaining = this.deadline - performance.now()
    const ms = phaseMs === 0 ? remaining : Math.min(phaseMs, remaining)
    this.clearTimer()
    if (ms === Number.POSITIVE_INFINITY) return
    this.timer = setTimeout(this.onTimer, Math.max(ms, 1))
  }

  private arm(ms: number): void {
    this.clearTimer()
    if (ms !== 0) this.timer = setTimeout(this.onTimer, ms)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }
}

/** The upstream response body as a stream with backpressure. */
class UpstreamBody extends Readable {
  constructor(private readonly call: UpstreamCall) {
    super()
  }

  override _read(): void {
    this.call.pull()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.call.bodyDestroyed(error)
    callback(error)
  }
}
