import type { GatewayError } from '../errors/GatewayError.js'
import type { GatewayLogger } from '../seam/GatewayLogger.js'
import type { FailureContext, RetryContext } from './FailureContext.js'
import type { PhaseRecord } from './PhaseRecord.js'

/**
 * An attempt is about to go upstream. Observers that need to follow an attempt from its start to its
 * outcome (in-flight counts, a span) key their state on `phases`: the `attempt` event that ends it
 * carries the same object.
 */
export interface AttemptStartEvent {
  readonly method: string
  /** The path (and query) sent upstream. */
  readonly path: string
  /** The origin of the target, as configured. */
  readonly target: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The attempt's phase record, filled in as it goes (the same object its `attempt` event carries). */
  readonly phases: PhaseRecord
  /**
   * The client's request header lines as received (`[name, value, …]`), when there is a client
   * request: a tracer extracts the incoming `traceparent` from them.
   */
  readonly clientHeaders: readonly string[] | undefined
  /**
   * Set a request header on this attempt only (the request's other attempts do not get it), replacing
   * any field of that name the request had: a tracer's `traceparent`.
   */
  setHeader(name: string, value: string): void
}

/**
 * One attempt's outcome: the upstream's status when it answered, the failure when it did not, or
 * `aborted` when it was abandoned (every attempt that started ends with one of these).
 */
export interface AttemptEvent {
  readonly method: string
  /** The path (and query) sent upstream. */
  readonly path: string
  /** The origin of the target, as configured. */
  readonly target: string
  /** 1 for the first attempt. */
  readonly attempt: number
  /** The upstream's status, when response headers arrived. */
  readonly status: number | undefined
  /**
   * The failure, when the attempt failed before response headers; for an aborted attempt, the abort's
   * reason when that is a `GatewayError` (guard mode's deadline: `http_response_timeout`).
   */
  readonly error: GatewayError | undefined
  /**
   * The attempt was abandoned, not answered or failed by the upstream: the client left or the caller
   * aborted (guard mode: also the route's deadline). With neither `status`, `error` nor `aborted`, the
   * request could not be sent at all (undici refused what a hook built).
   */
  readonly aborted: boolean
  /** When the attempt went through its phases (`fetch()`: its start, first byte and end only). */
  readonly phases: PhaseRecord | undefined
}

/** A target's passive health changed. */
export interface HealthEvent {
  /** The origin of the target, as configured. */
  readonly target: string
  /** `ejected`: out of the rotation for `restMs`; `restored`: back in it. */
  readonly state: 'ejected' | 'restored'
  /** How long an ejected target rests before one trial request, in ms. */
  readonly restMs: number | undefined
}

/** The answer to a client's request is starting: the upstream's response or the gateway's own. */
export interface ResponseEvent {
  readonly method: string
  /** The request path (and query) as the gateway received it. */
  readonly path: string
  readonly status: number
  /** Set when the gateway generated the answer for a failure. */
  readonly error: GatewayError | undefined
  /** Attempts made (0 when none was: the request was refused before, or answered without one). */
  readonly attempts: number
  /** The request's id, as forwarded and on the gateway's pages. */
  readonly requestId: string
  /** The origin of the target of the latest attempt (`''` without one). */
  readonly target: string
  /** The latest attempt's phases (`undefined` without one). */
  readonly phases: PhaseRecord | undefined
  /** The request's own logger, when its adapter gave one (Fastify's `request.log`). */
  readonly log?: GatewayLogger | undefined
}

/** The client left before its answer was complete (nginx's 499): not an error of the gateway. */
export interface DepartureEvent {
  /** The request's id, as forwarded. */
  readonly requestId: string
  readonly method: string
  /** The request path (and query) as the gateway received it. */
  readonly path: string
  /** The request's own logger, when its adapter gave one (Fastify's `request.log`). */
  readonly log?: GatewayLogger | undefined
}

/**
 * Something the gateway did not do as configured, without it being a failure (the answer is the
 * upstream's, unchanged): a response body that `rewriteResponseBody` left alone because it was over
 * the limit or in a coding the gateway cannot decode.
 */
export interface WarningEvent {
  readonly code: 'response_body_over_limit' | 'response_encoding_unsupported'
  /** The request's id, as forwarded. */
  readonly requestId: string
  readonly method: string
  /** The request path (and query) as the gateway received it. */
  readonly path: string
  /** The origin of the target that answered. */
  readonly target: string
}

/**
 * What an observer of a gateway may be told. Every method is optional; one that throws is contained
 * (it never breaks a request).
 */
export interface GatewayObserver {
  /** An upstream failure or a failure of the gateway's own, told once per failure (`onError`). */
  failure?(error: GatewayError, context: FailureContext): void
  /** An attempt is about to go upstream (it may set a header of its own: `traceparent`). */
  attemptStart?(event: AttemptStartEvent): void
  /** An attempt ended at its response headers, its failure or its abort. */
  attempt?(event: AttemptEvent): void
  /** A retry is about to wait and go (`onRetry`). */
  retry?(context: RetryContext): void
  /** A target was ejected or restored by passive health. */
  health?(event: HealthEvent): void
  /** The answer to a request is starting. */
  response?(event: ResponseEvent): void
  /** The client left before its answer was complete. */
  departure?(event: DepartureEvent): void
  /** Something configured was not done, though nothing failed (see {@link WarningEvent}). */
  warning?(event: WarningEvent): void
}

type Kind = keyof GatewayObserver

/**
 * The one event seam of a gateway, created once with it: every attempt's outcome, retry, ejection
 * and restoration, response start and client departure is announced here, and `onError`, `onRetry`,
 * logs, metrics, traces and health checks subscribe to it. Nobody listening costs nothing: callers
 * check {@link GatewayEvents.wants} before they build an event.
 */
export class GatewayEvents {
  /** Whether anyone listens to each kind of event: check before building one. */
  readonly wants: Record<Kind, boolean> = {
    failure: false,
    attemptStart: false,
    attempt: false,
    retry: false,
    health: false,
    response: false,
    departure: false,
    warning: false,
  }
  private readonly observers: GatewayObserver[] = []
  /**
   * The observers of each kind, in subscription order, made again at each (un)subscription: telling
   * an event is a loop over those that listen, with no array or closure made per event (measured
   * beside the SDK on Node 20: the rest-argument `apply` of one generic teller was a tenth of the
   * observers' own time).
   */
  private listening: { readonly [K in Kind]: readonly GatewayObserver[] } = {
    failure: [],
    attemptStart: [],
    attempt: [],
    retry: [],
    health: [],
    response: [],
    departure: [],
    warning: [],
  }
  /** Failures already told: each is told once, whoever reaches it first (the attempt, the exit). */
  private readonly told = new WeakSet<GatewayError>()

  /** Listen; returns the function that stops listening. */
  subscribe(observer: GatewayObserver): () => void {
    this.observers.push(observer)
    this.refresh()
    return () => {
      const at = this.observers.indexOf(observer)
      if (at !== -1) this.observers.splice(at, 1)
      this.refresh()
    }
  }

  // each teller calls its observers as methods, and contains what they throw: an observer must not
  // break the gateway

  /** Tell of a failure, unless it was told already. */
  failure(error: GatewayError, context: FailureContext): void {
    if (!this.untold(error)) return
    this.told.add(error)
    for (const observer of this.listening.failure) {
      try {
        observer.failure?.(error, context)
      } catch {}
    }
  }

  attemptStart(event: AttemptStartEvent): void {
    for (const observer of this.listening.attemptStart) {
      try {
        observer.attemptStart?.(event)
      } catch {}
    }
  }

  attempt(event: AttemptEvent): void {
    for (const observer of this.listening.attempt) {
      try {
        observer.attempt?.(event)
      } catch {}
    }
  }

  retry(context: RetryContext): void {
    for (const observer of this.listening.retry) {
      try {
        observer.retry?.(context)
      } catch {}
    }
  }

  health(event: HealthEvent): void {
    for (const observer of this.listening.health) {
      try {
        observer.health?.(event)
      } catch {}
    }
  }

  response(event: ResponseEvent): void {
    for (const observer of this.listening.response) {
      try {
        observer.response?.(event)
      } catch {}
    }
  }

  departure(event: DepartureEvent): void {
    for (const observer of this.listening.departure) {
      try {
        observer.departure?.(event)
      } catch {}
    }
  }

  warning(event: WarningEvent): void {
    for (const observer of this.listening.warning) {
      try {
        observer.warning?.(event)
      } catch {}
    }
  }

  /**
   * Whether telling `error` now would reach anyone: someone listens for failures and it was not told
   * yet. A teller that builds the context only then skips that work for a failure already told
   * (a refused attempt's failure is told by the attempt loop, and again offered by the proxy's exit).
   */
  untold(error: GatewayError): boolean {
    return this.wants.failure && !this.told.has(error)
  }

  private refresh(): void {
    const of = (kind: Kind) => this.observers.filter((observer) => typeof observer[kind] === 'function')
    this.listening = {
      failure: of('failure'),
      attemptStart: of('attemptStart'),
      attempt: of('attempt'),
      retry: of('retry'),
      health: of('health'),
      response: of('response'),
      departure: of('departure'),
      warning: of('warning'),
    }
    for (const kind of Object.keys(this.wants) as Kind[]) this.wants[kind] = this.listening[kind].length > 0
  }
}
