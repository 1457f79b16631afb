import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'
import { classify } from '../errors/classify.js'
import { type FailurePhase, GatewayError } from '../errors/GatewayError.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
import { rawHeaderValue } from '../http/rawHeaderValue.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { AttemptRecord } from './AttemptRecord.js'
import { EARLY_BODY_BYTES, EarlyBody } from './EarlyBody.js'
import { type ExchangeControl, ExchangeHandler, type ExchangeListener } from './ExchangeHandler.js'
import { PhaseTimer } from './PhaseTimer.js'
import { type BodySource, UpstreamBody } from './UpstreamBody.js'

/** Phases of one upstream exchange, in order. */
const CONNECT = 0 // waiting for a connection (queue, DNS, TCP, TLS)
const SEND = 1 // connected, request body still streaming
const HEADERS = 2 // request sent, waiting for response headers
const BODY = 3 // response body streaming
const DONE = 4 // finished, failed or abandoned
type Phase = typeof CONNECT | typeof SEND | typeof HEADERS | typeof BODY | typeof DONE

const PHASE_NAMES: readonly FailurePhase[] = ['connect', 'send', 'headers', 'body', 'body']

/** One upstream exchange to make. */
export interface CallSpec {
  readonly dispatcher: Dispatcher
  readonly request: Dispatcher.DispatchOptions
  /** Phase timeouts in ms (`0`: off). */
  readonly timeout: { readonly connect: number; readonly headers: number; readonly idle: number }
  /** `performance.now()` by which response headers must have arrived (`Infinity`: none). */
  readonly deadline: number
  /** Aborts the exchange (client gone, route deadline); its `reason` is what the call rejects with. */
  readonly signal: AbortSignalLike | undefined
  /**
   * The attempt: its phase record is filled in as the exchange goes, and it is told of an upstream
   * failure after the response headers (one before them rejects the call).
   */
  readonly attempt: AttemptRecord
  /**
   * Whether the client is still sending the request body: a deadline that passes while it is, is the
   * client's slowness (408), not the upstream's (504).
   */
  readonly bodyPending?: () => boolean
  /**
   * Fail a response body that ends short of (or beyond) its `Content-Length` as
   * `http_response_incomplete`. undici checks this itself over HTTP/1.1; over HTTP/2, undici 7 reports
   * a stream reset with CANCEL or NO_ERROR before its end, and a body with trailers read under
   * backpressure, as complete (see the README's HTTP/2 section), so `http2: true` turns this on.
   */
  readonly verifyLength?: boolean
}

/** The upstream's response: status, raw header lines and the body. */
export interface UpstreamResponse {
  readonly statusCode: number
  /** `[name, value, …]` as undici received them: latin1 bytes, passed on byte-for-byte. */
  readonly rawHeaders: Buffer[]
  /** The body as a stream, made on first use. */
  readonly body: UpstreamBody
  /** When the attempt went through its phases. */
  readonly phases: PhaseRecord
  /** After a `101` to an upgrade request: the upstream connection, out of undici's pool. */
  readonly socket: Duplex | undefined
  /**
   * The whole body as one buffer if the upstream already finished it (a small response usually
   * arrives with its headers), without making a stream; `undefined` while it is still streaming.
   */
  takeComplete(): Buffer | undefined
  /**
   * For a body declared no longer than the gateway keeps before anyone reads it (64 KiB): wait until
   * it is complete and resolve with it as one buffer, or with the failure when it failed (or was
   * abandoned) on the way. `undefined` when `declaredLength` is over the limit or unknown, or the body
   * turned out longer: then read `body`. Never rejects.
   */
  completeSoon(declaredLength: number | undefined): Promise<Buffer | Error | undefined>
}

/**
 * Make one upstream exchange. Resolves at the response headers, with the body streaming; rejects
 * with a {@link GatewayError} for an upstream failure, with `signal.reason` when aborted, and with
 * any other error for a bug (an undici `InvalidArgumentError`: a 500, never a 502).
 */
export function callUpstream(spec: CallSpec): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => new UpstreamExchange(spec, resolve, reject).start())
}

/**
 * One exchange with the upstream: its phases and their timeouts (one {@link PhaseTimer}), the
 * response, and the source of its body stream (with backpressure). undici talks to it through a
 * thin {@link ExchangeHandler}.
 *
 * `timeout.headers` starts when the request is fully sent, so a slow upload is not blamed on the
 * upstream: undici's current handler API has no "request sent" callback, so it is derived. A request
 * whose body is not a stream is sent as soon as a connection takes it (undici writes head and body
 * at once); one with a stream body when that stream hands over its last chunk. `timeout.idle` is
 * suspended while the consumer applies backpressure, so a slow client is not blamed either.
 */
export class UpstreamExchange implements BodySource, UpstreamResponse, ExchangeListener {
  statusCode = 0
  rawHeaders: Buffer[] = []
  socket: Duplex | undefined = undefined
  readonly phases: AttemptRecord
  private phase: Phase = CONNECT
  private readonly timer = new PhaseTimer(() => this.onTimer())
  private controller: ExchangeControl | undefined
  private failure: Error | undefined
  /** The body stream, once someone asked for it. */
  private stream: UpstreamBody | undefined
  private readonly early = new EarlyBody()
  /** The upstream finished the body. */
  private completed = false
  /** The body failed (or was abandoned) before the stream was made. */
  private bodyFailure: Error | undefined
  /** Someone waits in `completeSoon` for the early body to settle. */
  private settle: (() => void) | undefined
  /** The request body, when it is a stream: its end is when the request was sent. */
  private readonly requestStream: NodeJS.ReadableStream | undefined
  /** The response body's `Content-Length` when it is verified, else `-1`. */
  private expectedLength = -1
  /** Response body bytes received. */
  private receivedLength = 0

  constructor(
    private readonly spec: CallSpec,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.phases = spec.attempt
    const body = spec.request.body as { once?: unknown } | null | undefined
    this.requestStream = typeof body?.once === 'function' ? (body as NodeJS.ReadableStream) : undefined
  }

  start(): void {
    const signal = this.spec.signal
    if (signal?.aborted) {
      this.phase = DONE
      this.reject(abortReason(signal))
      return
    }
    signal?.addEventListener('abort', this.onAbortSignal)
    this.requestStream?.once('end', this.onRequestSent)
    this.dueBeforeHeaders(this.spec.timeout.connect)
    this.spec.dispatcher.dispatch(this.spec.request, new ExchangeHandler(this))
  }

  // ---- what undici tells, through the handler ----

  /** A connection took the request: undici writes its head now (and a body that is not a stream). */
  connected(controller: ExchangeControl): void {
    if (this.phase === DONE) {
      controller.abort(this.failure ?? new Error('abandoned'))
      return
    }
    this.controller = controller
    this.phases.connected = performance.now()
    if (this.requestStream === undefined) this.sent()
    else {
      this.phase = SEND
      this.dueBeforeHeaders(0)
    }
  }

  /** The response headers arrived. */
  responseStarted(controller: ExchangeControl, statusCode: number, rawHeaders: Buffer[]): void {
    if (this.phase === DONE) {
      controller.abort(this.failure ?? new Error('abandoned'))
      return
    }
    this.phase = BODY
    this.phases.firstByte = performance.now()
    this.statusCode = statusCode
    this.rawHeaders = rawHeaders
    if (this.spec.verifyLength === true)
      this.expectedLength = bodyLength(this.spec.request.method, statusCode, this.rawHeaders)
    this.dueIdle()
    this.resolve(this)
  }

  /** The upstream switched protocols: the exchange is over, its connection is the caller's. */
  upgraded(_controller: ExchangeControl, statusCode: number, rawHeaders: Buffer[], socket: Duplex): void {
    if (this.phase === DONE) {
      socket.destroy()
      return
    }
    this.phases.firstByte = performance.now()
    this.statusCode = statusCode
    this.rawHeaders = rawHeaders
    this.socket = socket
    this.completed = true
    this.finish()
    this.resolve(this)
  }

  /** A chunk of the response body; pauses the upstream while nobody reads. */
  data(controller: ExchangeControl, chunk: Buffer): void {
    this.receivedLength += chunk.length
    const idle = this.spec.timeout.idle
    if (idle !== 0) this.timer.dueAt = performance.now() + idle
    const stream = this.stream
    if (stream === undefined) {
      // no one asked for the body yet: keep it, up to a limit
      if (this.early.keep(chunk)) return
      this.settle?.()
    } else if (stream.deliver(chunk)) return
    // the consumer is slow (or not there yet): pause the upstream, and its silence is not idleness
    controller.pause()
    this.timer.suspend()
  }

  /** The response body is complete. */
  ended(): void {
    const expected = this.expectedLength
    if (expected !== -1 && this.receivedLength !== expected && this.phase === BODY) {
      this.fail(new GatewayError('http_response_incomplete', { phase: 'body', afterHeaders: true }))
      return
    }
    this.finish()
    this.completed = true
    this.stream?.complete()
    this.settle?.()
  }

  /** undici failed the exchange. */
  failed(error: Error): void {
    if (this.phase === DONE) return
    const signal = this.spec.signal
    if (signal?.aborted) {
      this.fail(abortReason(signal), false)
      return
    }
    const failure = classify(error, { phase: PHASE_NAMES[this.phase], afterHeaders: this.phase === BODY })
    // not an upstream failure (an undici InvalidArgumentError is our bug): reject as it is
    this.fail(failure ?? error)
  }

  // ---- the response ----

  get body(): UpstreamBody {
    if (this.stream !== undefined) return this.stream
    const stream = new UpstreamBody(this)
    this.stream = stream
    const early = this.early.takeChunks()
    if (early !== undefined) for (const chunk of early) stream.deliver(chunk)
    if (this.bodyFailure !== undefined) stream.destroy(this.bodyFailure)
    else if (this.completed) stream.complete()
    return stream
  }

  takeComplete(): Buffer | undefined {
    if (this.stream !== undefined) return this.stream.takeComplete()
    return this.completed ? this.early.takeWhole() : undefined
  }

  completeSoon(declaredLength: number | undefined): Promise<Buffer | Error | undefined> {
    const whole = this.takeComplete() ?? this.bodyFailure
    if (
      whole !== undefined ||
      // not `> limit`: a length that is not a number (from a rewriting hook) must not make it wait
      !(declaredLength !== undefined && declaredLength <= EARLY_BODY_BYTES) ||
      this.stream !== undefined ||
      this.phase !== BODY ||
      this.early.full
    ) {
      return Promise.resolve(whole)
    }
    return new Promise((resolve) => {
      this.settle = () => {
        this.settle = undefined
        resolve(this.takeComplete() ?? this.bodyFailure)
      }
    })
  }

  // ---- the body stream's side ----

  pull(): void {
    const controller = this.controller
    if (controller === undefined || !controller.paused || this.phase === DONE) return
    this.dueIdle()
    controller.resume()
  }

  bodyDestroyed(error: Error | null): void {
    if (this.phase === DONE) return
    this.finish()
    this.controller?.abort(error ?? new Error('response body destroyed'))
  }

  // ---- internals ----

  /** The request is fully sent: the headers timeout starts. */
  private sent(): void {
    this.phase = HEADERS
    this.phases.sent = performance.now()
    this.dueBeforeHeaders(this.spec.timeout.headers)
  }

  private readonly onRequestSent = (): void => {
    if (this.phase === SEND) this.sent()
  }

  private readonly onAbortSignal = (): void => {
    this.fail(abortReason(this.spec.signal as AbortSignalLike), false)
  }

  private onTimer(): void {
    const phase = this.phase
    if (phase === DONE) return
    const code =
      phase === CONNECT
        ? 'connection_timeout'
        : phase === SEND && this.spec.bodyPending?.() === true
          ? 'request_timeout'
          : 'http_response_timeout'
    this.fail(new GatewayError(code, { phase: PHASE_NAMES[phase], afterHeaders: phase === BODY }))
  }

  /**
   * Fail the exchange: before headers by rejecting, after headers by destroying the body. Failures
   * of the upstream after headers are reported (before them, the attempt loop reports the rejection);
   * an abort through the signal was decided (and reported) by its owner.
   */
  private fail(failure: Error, report = true): void {
    if (this.phase === DONE) return
    const afterHeaders = this.phase === BODY
    this.failure = failure
    this.finish()
    this.controller?.abort(failure)
    if (report && afterHeaders && failure instanceof GatewayError) this.spec.attempt.failedLate(failure)
    if (!afterHeaders) this.reject(failure)
    else if (this.stream !== undefined) this.stream.destroy(failure)
    else {
      this.bodyFailure = failure
      this.early.discard()
      this.settle?.()
    }
  }

  private finish(): void {
    this.phase = DONE
    this.phases.ended = performance.now()
    this.spec.attempt.finished()
    this.timer.clear()
    this.spec.signal?.removeEventListener('abort', this.onAbortSignal)
    const requestStream = this.requestStream
    if (requestStream !== undefined) {
      requestStream.removeListener('end', this.onRequestSent)
      // this attempt sends no more of the body: let go of its view of it (other attempts read on)
      const stream = requestStream as NodeJS.ReadableStream & { readableEnded?: boolean; destroy?: () => void }
      if (stream.readableEnded === false) stream.destroy?.()
    }
  }

  /** The phase before response headers ends within its own limit or the deadline, whichever is first. */
  private dueBeforeHeaders(phaseMs: number): void {
    const deadline = this.spec.deadline
    this.timer.setDue(phaseMs === 0 ? deadline : Math.min(performance.now() + phaseMs, deadline))
  }

  /** The body phase: the upstream may be silent for `timeout.idle`. */
  private dueIdle(): void {
    const idle = this.spec.timeout.idle
    this.timer.setDue(idle === 0 ? Number.POSITIVE_INFINITY : performance.now() + idle)
  }
}

/**
 * The body length a response's `Content-Length` declares, or `-1` when it declares none that binds
 * the body: none, not one decimal number, or a response without a body (`HEAD`, `1xx`, `204`, `304`).
 */
function bodyLength(method: string, status: number, raw: readonly Buffer[]): number {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return -1
  const value = rawHeaderValue(raw, 'content-length')
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : -1
}

/** What an aborted signal means: its reason, or a plain abort error. */
function abortReason(signal: AbortSignalLike): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError')
}
