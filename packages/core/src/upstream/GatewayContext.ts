import type { GatewayEvents } from '../events/GatewayEvents.js'
import type { ResolvedOptions } from '../options/resolveOptions.js'
import type { RetryBudget } from '../policy/RetryBudget.js'

/** What every part of a gateway shares: its options, budget, event seam and lifecycle. */
export interface GatewayContext {
  readonly options: ResolvedOptions
  /** `undefined` when retries are off. */
  readonly budget: RetryBudget | undefined
  /** Where every attempt, retry, failure, ejection, response and departure is announced. */
  readonly events: GatewayEvents
  /** `closing` once the gateway's `close()` began: no new upstream calls are taken. */
  readonly lifecycle: { readonly closing: boolean }
}
