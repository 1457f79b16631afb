import type { RequestGuard } from '@gateway-middleware/core/adapter'

/** Where a guarded request keeps its guard for `gatewayErrorHandler()`. */
export const GUARD = Symbol.for('gateway-middleware.express.guard')

/** A guarded request's state. */
export interface GuardState {
  readonly guard: RequestGuard
  /** Set by `gatewayErrorHandler()` when it saw the request's error. */
  handled: boolean
}
