import type { Dispatcher } from 'undici'
import { errorRequest } from '../error-pages/errorRequest.js'
import { errorResponse } from '../error-pages/errorResponse.js'
import { classify } from '../errors/classify.js'
import { isFailureCode } from '../errors/failures.js'
import { GatewayError, isGatewayError } from '../errors/GatewayError.js'
import { requestId } from '../http/requestId.js'
import type { AbortSignalLike } from '../seam/AbortSignalLike.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { GatewayResponse } from '../seam/GatewayResponse.js'
import { LightSignal } from '../seam/LightSignal.js'
import type { Origins } from '../targets/Origins.js'
import type { GatewayContext } from '../upstream/GatewayContext.js'
import type { CallUrls } from './CallUrls.js'
import { createGatewayClient, type GatewayClient } from './GatewayClient.js'

/** What the adapter tells a guard about its framework's response. */
export interface GuardHooks {
  /** Whether the route's response has started (headers sent): then the deadline no longer applies. */
  responseStarted(): boolean
}

/** What a guard needs of its gateway. */
export interface GuardContext extends GatewayContext {
  readonly dispatcher: Dispatcher
  readonly urls: CallUrls
  readonly origins: Origins
}

/** The request a guard protects: its method, its URL (for reports) and the client-gone signal. */
export interface GuardedRequest {
  readonly method: string
  readonly url: string
  readonly signal: AbortSignalLike
  /** The request's header lines as received (Node's `rawHeaders`), for the gateway's own answers. */
  readonly rawHeaders?: readonly string[]
  /** The request's own logger (Fastify's `request.log`): see `GatewayRequest.log`. */
  readonly log?: GatewayLogger | undefined
}

/**
 * Guard mode, for one request: the client its route uses for upstream calls, the request's
 * deadline (`timeout.total` from arrival to the start of the response), and the decision whether
 * an error the route raised is an upstream failure (502/504) or a bug (the framework's 500).
 *
 * An adapter runs the route, then races it with the deadline through {@link RequestGuard.race}: the
 * one way the guard hands over its deadline answer.
 */
export class RequestGuard {
  /** The client for the route's upstream calls. */
  readonly client: GatewayClient
  /** Whether the gateway answered the request itself because the deadline passed. */
  responded = false
  /** The last upstream failure of this request's client calls. */
  lastFailure: GatewayError | undefined
  private id: string | undefined
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
      origins: context.origins,
      deadline: this.deadline,
      signal: this.abort,
      failed: (error) => {
        this.lastFailure = error
      },
      requestId: () => this.requestId(),
      clientHeaders: request.rawHeaders,
      log: request.log,
    })
  }

  /**
   * Race the route (a promise that settles when it is done) with the request's deadline. Resolves
   * with the gateway's answer when the deadline passes before the route's response started: write it,
   * and ignore what the route does later. Resolves with `undefined` when the route finished first,
   * and rejects with the route's error when it failed first (hand that to `failureResponse`). A route
   * that fails after the deadline answered has nowhere to go: its error is dropped.
   */
  race(routed: PromiseLike<unknown>): Promise<GatewayResponse | undefined> {
    // a route that fails because the deadline aborted its calls is answered by the deadline
    const done = Promise.resolve(routed).then(nothing, (error: unknown) => {
      if (this.responded) return this.timedOut()
      throw error
    })
    if (this.timer === undefined && this.deadlinePassed === undefined) return done
    done.catch(ignore)
    return Promise.race([done, this.timedOut()])
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
    return this.answer(failure)
  }

  /** Stop the deadline timer and let go of the request. Call when the response is done. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.request.signal.removeEventListener('abort', this.onClientGone)
  }

  /** Resolves with the deadline's answer, if the deadline passes before the response started. */
  private timedOut(): Promise<GatewayResponse> {
    this.deadlinePassed ??= new Promise((resolve) => {
      this.settleDeadline = resolve
    })
    return this.deadlinePassed
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

  /** The gateway's answer to a failure: told to the event seam (once: a client call's failure was told already). */
  private async answer(failure: GatewayError): Promise<GatewayResponse> {
    const { events } = this.context
    const { method, url, log } = this.request
    const requestId = this.requestId()
    if (events.wants.failure) events.failure(failure, { method, path: url, target: '', attempt: 1, requestId, log })
    const response = await errorResponse(failure, errorRequest(this.request, requestId), this.context)
    if (events.wants.response) {
      events.response({
        method,
        path: url,
        status: response.status,
        error: failure,
        attempts: 0,
        requestId,
        target: '',
        phases: undefined,
        log,
      })
    }
    return response
  }

  private readonly onDeadline = (): void => {
    this.timer = undefined
    if (this.answering || this.hooks.responseStarted()) return
    const error = new GatewayError('http_response_timeout', { phase: 'headers' })
    this.responded = true
    this.abort.abort(error)
    void this.answer(error).then(this.deliver)
  }

  /** Hand the deadline's answer to the race, unless the route started its own response meanwhile. */
  private readonly deliver = (response: GatewayResponse): void => {
    if (this.hooks.responseStarted()) return
    this.timedOut()
    this.settleDeadline?.(response)
  }

  /** The request's id (its safe incoming `X-Request-Id`, else a new one): on upstream calls and on answers alike. */
  private requestId(): string {
    this.id ??= requestId(this.request.rawHeaders ?? [])
    return this.id
  }

  private readonly onClientGone = (): void => {
    this.dispose()
    this.abort.abort(new DOMException('The client went away', 'AbortError'))
    const { events } = this.context
    if (events.wants.departure) {
      const { method, url, log } = this.request
      events.departure({ requestId: this.requestId(), method, path: url, log })
    }
  }
}

function nothing(): undefined {
  return undefined
}

function ignore(): void {}
