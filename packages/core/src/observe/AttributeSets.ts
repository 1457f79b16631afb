import type { GatewayError } from '../errors/GatewayError.js'
import { type ClientAttributes, clientAttributes } from './clientAttributes.js'
import { errorType } from './errorType.js'
import { requestMethod } from './requestMethod.js'

/** Most sets made once per gateway, as the SDK's default cardinality limit; beyond, each is made anew. */
export const MAX_ATTRIBUTE_SETS = 2000

/**
 * The attributes of upstream calls to one target with one method, and of each of their outcomes,
 * made once and frozen, and then handed to the SDK as they are: an attempt builds no attribute
 * object and parses no origin. Bounded like the attributes themselves (the conventions' methods,
 * the targets, the statuses and failure kinds).
 */
export class MethodAttributes {
  /** `http.request.method`, `server.address`, `server.port`. */
  readonly base: Readonly<ClientAttributes>
  /** The conventions' `http.request.method` (`_OTHER` for a method they do not know). */
  readonly method: string
  /** The duration's attributes per outcome: the status (a success or an answer ≥ 400), or the failure's type. */
  private readonly outcomes = new Map<number | string, Readonly<ClientAttributes>>()

  constructor(method: string, origin: string) {
    this.base = Object.freeze(clientAttributes(method, origin))
    this.method = this.base['http.request.method'] as string
  }

  /**
   * The base attributes with `http.response.status_code` when there was a response, and `error.type`
   * (see {@link errorType}) when the call failed or answered ≥ 400.
   */
  outcome(status: number | undefined, error: GatewayError | undefined): Readonly<ClientAttributes> {
    // a failure has no status; a status alone decides its error.type
    const key = error === undefined ? (status ?? '') : status === undefined ? error.code : undefined
    const made = key === undefined ? undefined : this.outcomes.get(key)
    if (made !== undefined) return made
    const attributes: ClientAttributes = { ...this.base }
    if (status !== undefined) attributes['http.response.status_code'] = status
    const type = errorType(status, error)
    if (type !== undefined) attributes['error.type'] = type
    Object.freeze(attributes)
    if (key !== undefined && this.outcomes.size < MAX_ATTRIBUTE_SETS) this.outcomes.set(key, attributes)
    return attributes
  }
}

/** Each target's {@link MethodAttributes} by method, made on first use (at most {@link MAX_ATTRIBUTE_SETS}). */
export class AttributeSets {
  private readonly byOrigin = new Map<string, Map<string, MethodAttributes>>()
  private size = 0

  /** The attributes of calls to `origin` with `method` (every method the conventions do not know: one set, `_OTHER`). */
  of(received: string, origin: string): MethodAttributes {
    const method = requestMethod(received)
    let methods = this.byOrigin.get(origin)
    let made = methods?.get(method)
    if (made !== undefined) return made
    made = new MethodAttributes(method, origin)
    if (this.size >= MAX_ATTRIBUTE_SETS) return made
    if (methods === undefined) {
      methods = new Map()
      this.byOrigin.set(origin, methods)
    }
    methods.set(method, made)
    this.size++
    return made
  }
}
