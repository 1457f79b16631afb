import type { Dispatcher } from 'undici'
import { errorRequest } from '../error-pages/errorRequest.js'
import { errorResponse } from '../error-pages/errorResponse.js'
import { classify } from '../errors/classify.js'
import { isFailureCode } from '../errors/failures.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import { requestId } from '../http/requestId.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import { LightSignal } from '../seam/LightSignal.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import { type CallUrls, createGatewayClient, type GatewayClient } from './GatewayClient.js'

/** What the adapter tells a guard about its framework's response. */
export interface GuardHooks {
  /** Whether the route's response has started (headers sent): then the deadline no longer applies. */
  responseStarted(): boolean
  /** Write the gateway's answer when the deadline passes first (optional: or await `timedOut`). */
  respond?(response: GatewayResponse): void
}

/** What a guard needs of its gateway. */
export interface GuardContext extends GatewayContext {
  readonly dispatcher: Dispatcher
  readonly urls: CallUrls
}

/** The request a guard protects: its method, its URL (for reports) and the client-gone signal. */
export interface GuardedRequest {
  readonly method: string
  readonly url: string
  readonly signal: AbortSignalLike
  /** The request's header lines as received (Node's `rawHeaders`), for the gateway's own answers. */
  readonly rawHeaders?: readonly string[]
}

/**
 * Guard mode, for one request: the client its route uses for upstream calls, the request's
 * deadline (`timeout.total` from arrival to the start of the response), and the decision whether
 * an error the route raised is an upstream failure (502/504) or a bug (the framework's 500).
 */
export class RequestGuard {
  /** The client for the route's upstream calls. */
  readonly client: GatewayClient
  /** Whether the gateway answered the request itself because the deadline passed. */
  responded = false
  private id: string | undefined
  /** The last upstream failure of this request's client calls. */
  lastFailure: GatewayError | undefined
  private readonly abort = new LightSignal()
  /** Set once `failureResponse` answers a failure: its page may still be rendering. */
  private answering = false
  private readonly deadline: number
  private timer: NodeJS.Timeout | undefined
  private deadlinePassed: Promise<GatewayResponse> | undefined
  private settleDeadline: ((response: GatewayResponse) => void) | undefined

  constructor(
    private readonly context: GuardContext,
    private readonly request: GuardedRequest,
    private readonly hooks: GuardHooks,
  ) {
    const total = context.options.timeout.total
    this.deadline = total === 0 ? Number.POSITIVE_INFINITY : performance.now() + total
    if (total !== 0) this.timer = setTimeout(this.onDeadline, total)
    request.signal.addEventListener('abort', this.onClientGone)
    this.client = createGatewayClient({
      gateway: context,
      dispatcher: context.dispatcher,
      urls: context.urls,
      deadline: this.deadline,
      signal: this.abort,
      report: (error, failure) => {
        this.lastFailure = error
        context.report(error, failure)
      },
      retrying: context.retrying,
      requestId: () => this.requestId(),
    })
  }

  /** Resolves with the gateway's answer if the deadline passes before the response started; never rejects. */
  get timedOut(): Promise<GatewayResponse> {
    this.deadlinePassed ??= new Promise((resolve) => {
      this.settleDeadline = resolve
    })
    return this.deadlinePassed
  }

  /**
   * The gateway's answer to an error the route raised, or `undefined` when it is not an upstream
   * failure (a bug, a validation error: the framework's 500). `classifyError` may override. Async
   * because a custom error page may be; rejects only when `classifyError` returns something invalid.
   */
  async failureResponse(error: unknown): Promise<GatewayResponse | undefined> {
    const failure = this.decide(error)
    if (failure === undefined) return undefined
    // the answer is on its way (a custom page may take a moment): the deadline must not answer too
    this.answering = true
    // failures of the gateway's own client were reported when they happened
    if (failure !== error) this.reportOwn(failure)
    return errorResponse(failure, errorRequest(this.request, this.requestId()), this.context)
  }

  /** Stop the deadline timer and let go of the request. Call when the response is done. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.request.signal.removeEventListener('abort', this.onClientGone)
  }

  private decide(error: unknown): GatewayError | undefined {
    const decision = classify(error)
    const override = this.context.options.classifyError
    if (override === undefined) return decision
    const verdict = override(error, decision)
    if (verdict === undefined) return decision
    if (verdict === false) return undefined
    if (isGatewayError(verdict)) return verdict
    if (isFailureCode(verdict)) return new GatewayError(verdict, { cause: error })
    throw new TypeError(
      `classifyError returned ${String(verdict)}: expected a failure code, a GatewayError, false or undefined`,
    )
  }

  private readonly onDeadline = (): void => {
    this.timer = undefined
    if (this.answering || this.hooks.responseStarted()) return
    const error = new GatewayError('http_response_timeout', { phase: 'headers' })
    this.responded = true
    this.abort.abort(error)
    this.reportOwn(error)
    const response = errorResponse(error, errorRequest(this.request, this.requestId()), this.context)
    if (response instanceof Promise) void response.then(this.deliver)
    else this.deliver(response)
  }

  /** Hand the deadline's answer to the adapter, unless the route started its own response meanwhile. */
  private readonly deliver = (response: GatewayResponse): void => {
    if (!this.hooks.responseStarted()) this.hooks.respond?.(response)
    this.settleDeadline?.(response)
    this.deadlinePassed ??= Promise.resolve(response)
  }

  private reportOwn(error: GatewayError): void {
    this.context.report(error, { method: this.request.method, path: this.request.url, target: '', attempt: 1 })
  }

  /** The request's id (its safe incoming `X-Request-Id`, else a new one): on upstream calls and on answers alike. */
  private requestId(): string {
    this.id ??= requestId(this.request.rawHeaders ?? [])
    return this.id
  }

  private readonly onClientGone = (): void => {
    this.dispose()
    this.abort.abort(new DOMException('The client went away', 'AbortError'))
  }
}
