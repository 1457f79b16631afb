import type { Dispatcher } from 'undici'
import { classify } from '../errors/classify.js'
import { type FailurePhase, GatewayError } from '../errors/GatewayError.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { BodySource } from './UpstreamBody.js'
import { UpstreamBody } from './UpstreamBody.js'

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
  /** Told of an upstream failure after response headers (one before them rejects the call). */
  readonly onFailure: ((error: GatewayError) => void) | undefined
  /**
   * Whether the client is still sending the request body: a deadline that passes while it is, is the
   * client's slowness (408), not the upstream's (504).
   */
  readonly bodyPending?: () => boolean
}

/** The upstream's response: status, raw header lines and the body. */
export interface UpstreamResponse {
  readonly statusCode: number
  /** `[name, value, …]` as undici hands them over: latin1 bytes. */
  readonly rawHeaders: Buffer[]
  /** The body as a stream, made on first use. */
  readonly body: UpstreamBody
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
 * How much of the body is kept before anyone asks for it; then the upstream is paused. A small body
 * that arrives whole within it is sent as a buffer and never becomes a stream, and a body declared
 * (`Content-Length`) within it is waited for (see `completeSoon`).
 */
const EARLY_BODY_BYTES = 64 * 1024

const EMPTY = Buffer.alloc(0)

/**
 * Make one upstream exchange. Resolves at the response headers, with the body streaming; rejects
 * with a {@link GatewayError} for an upstream failure, with `signal.reason` when aborted, and with
 * any other error for a bug (an undici `InvalidArgumentError`: a 500, never a 502).
 */
export function callUpstream(spec: CallSpec): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => new UpstreamCall(spec, resolve, reject).start())
}

/**
 * An undici dispatch handler that enforces the phase timeouts with a single timer (re-armed only
 * when a phase must end sooner than it fires), and streams the response body with backpressure.
 *
 * The timer is ours because undici's own connect, headers and body timers run at about one second
 * of resolution. `timeout.headers` starts when the request is fully sent (undici's `onRequestSent`),
 * so a slow upload is not blamed on the upstream; `timeout.idle` is suspended while the consumer
 * applies backpressure, so a slow client is not blamed either.
 */
class UpstreamCall implements Dispatcher.DispatchHandler, BodySource, UpstreamResponse {
  statusCode = 0
  rawHeaders: Buffer[] = []
  private phase: Phase = CONNECT
  private timer: NodeJS.Timeout | undefined
  /** `performance.now()` by which the current phase must end (`Infinity`: no limit now). */
  private dueAt = Number.POSITIVE_INFINITY
  /** When the armed timer fires (`Infinity`: none armed). */
  private firesAt = Number.POSITIVE_INFINITY
  private abortUpstream: ((reason?: Error) => void) | undefined
  private resumeUpstream: (() => void) | undefined
  private paused = false
  private failure: Error | undefined
  /** The body stream, once someone asked for it. */
  private stream: UpstreamBody | undefined
  /** Body chunks that arrived before the stream was made. */
  private early: Buffer[] | undefined
  private earlyBytes = 0
  /** The upstream finished the body. */
  private completed = false
  /** The body failed (or was abandoned) before the stream was made. */
  private bodyFailure: Error | undefined
  /** Someone waits in `completeSoon` for the early body to settle. */
  private settle: (() => void) | undefined

  constructor(
    private readonly spec: CallSpec,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    const signal = this.spec.signal
    if (signal?.aborted) {
      this.phase = DONE
      this.reject(abortReason(signal))
      return
    }
    signal?.addEventListener('abort', this.onAbortSignal)
    this.dueBeforeHeaders(this.spec.timeout.connect)
    this.spec.dispatcher.dispatch(this.spec.request, this)
  }

  // ---- undici's handler interface ----

  onConnect(abort: (reason?: Error) => void): void {
    if (this.phase === DONE) {
      abort(this.failure ?? new Error('abandoned'))
      return
    }
    this.abortUpstream = abort
    this.phase = SEND
    this.dueBeforeHeaders(0)
  }

  onRequestSent(): void {
    if (this.phase !== SEND) return
    this.phase = HEADERS
    this.dueBeforeHeaders(this.spec.timeout.headers)
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.phase === DONE) return false
    this.phase = BODY
    this.statusCode = statusCode
    this.rawHeaders = rawHeaders
    this.resumeUpstream = resume
    this.dueIdle()
    this.resolve(this)
    return true
  }

  onData(chunk: Buffer): boolean {
    const idle = this.spec.timeout.idle
    if (idle !== 0) this.dueAt = performance.now() + idle
    const stream = this.stream
    if (stream === undefined) {
      // no one asked for the body yet: keep it, up to a limit
      if (this.early === undefined) this.early = [chunk]
      else this.early.push(chunk)
      this.earlyBytes += chunk.length
      if (this.earlyBytes <= EARLY_BODY_BYTES) return true
      this.settle?.()
    } else if (stream.deliver(chunk)) return true
    // the consumer is slow (or not there yet): pause the upstream, and its silence is not idleness
    this.paused = true
    this.dueAt = Number.POSITIVE_INFINITY
    return false
  }

  onComplete(): void {
    this.finish()
    this.completed = true
    this.stream?.complete()
    this.settle?.()
  }

  onError(error: Error): void {
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
    const early = this.early
    this.early = undefined
    if (early !== undefined) for (const chunk of early) stream.deliver(chunk)
    if (this.bodyFailure !== undefined) stream.destroy(this.bodyFailure)
    else if (this.completed) stream.complete()
    return stream
  }

  takeComplete(): Buffer | undefined {
    if (this.stream !== undefined) return this.stream.takeComplete()
    if (!this.completed) return undefined
    const early = this.early
    this.early = undefined
    if (early === undefined) return EMPTY
    return early.length === 1 ? (early[0] as Buffer) : Buffer.concat(early, this.earlyBytes)
  }

  completeSoon(declaredLength: number | undefined): Promise<Buffer | Error | undefined> {
    const whole = this.takeComplete() ?? this.bodyFailure
    if (
      whole !== undefined ||
      // not `> limit`: a length that is not a number (from a rewriting hook) must not make it wait
      !(declaredLength !== undefined && declaredLength <= EARLY_BODY_BYTES) ||
      this.stream !== undefined ||
      this.phase !== BODY ||
      this.earlyBytes > EARLY_BODY_BYTES
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
    if (!this.paused) return
    this.paused = false
    this.dueIdle()
    this.resumeUpstream?.()
  }

  bodyDestroyed(error: Error | null): void {
    if (this.phase === DONE) return
    this.finish()
    this.abortUpstream?.(error ?? new Error('response body destroyed'))
  }

  // ---- internals ----

  private readonly onAbortSignal = (): void => {
    this.fail(abortReason(this.spec.signal as AbortSignalLike), false)
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.firesAt = Number.POSITIVE_INFINITY
    const phase = this.phase
    if (phase === DONE) return
    // the timer only ever fires early (a later phase moved the due time on): then it is re-armed
    if (this.dueAt - performance.now() >= 1) {
      this.setDue(this.dueAt)
      return
    }
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
   * of the upstream are reported; an abort through the signal was decided (and reported) by its owner.
   */
  private fail(failure: Error, report = true): void {
    if (this.phase === DONE) return
    const afterHeaders = this.phase === BODY
    this.failure = failure
    this.finish()
    this.abortUpstream?.(failure)
    // a failure before headers settles the attempt, and the attempt loop reports it
    if (report && afterHeaders && failure instanceof GatewayError) this.spec.onFailure?.(failure)
    if (!afterHeaders) this.reject(failure)
    else if (this.stream !== undefined) this.stream.destroy(failure)
    else {
      this.bodyFailure = failure
      this.early = undefined
      this.settle?.()
    }
  }

  private finish(): void {
    this.phase = DONE
    this.clearTimer()
    this.spec.signal?.removeEventListener('abort', this.onAbortSignal)
  }

  /** The phase before response headers ends within its own limit or the deadline, whichever is first. */
  private dueBeforeHeaders(phaseMs: number): void {
    const deadline = this.spec.deadline
    this.setDue(phaseMs === 0 ? deadline : Math.min(performance.now() + phaseMs, deadline))
  }

  /** The body phase: the upstream may be silent for `timeout.idle`. */
  private dueIdle(): void {
    const idle = this.spec.timeout.idle
    this.setDue(idle === 0 ? Number.POSITIVE_INFINITY : performance.now() + idle)
  }

  /**
   * Set when the current phase must end. One timer serves every phase: it is re-armed only when the
   * new due time is earlier than when it fires; a timer that fires early re-arms itself. So a quick
   * exchange costs one `setTimeout` and one `clearTimeout`, however many phases it goes through.
   */
  private setDue(dueAt: number): void {
    this.dueAt = dueAt
    if (dueAt >= this.firesAt) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(dueAt - performance.now())))
    this.firesAt = dueAt
  }

  private clearTimer(): void {
    this.dueAt = Number.POSITIVE_INFINITY
    this.firesAt = Number.POSITIVE_INFINITY
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }
}

/** What an aborted signal means: its reason, or a plain abort error. */
function abortReason(signal: AbortSignalLike): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError')
}
