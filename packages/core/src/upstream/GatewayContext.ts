import type { GatewayError } from '../errors/GatewayError.js'
import type { FailureContext, RetryContext } from '../events/FailureContext.js'
import type { ResolvedOptions } from '../options/resolveOptions.js'
import type { RetryBudget } from '../policy/RetryBudget.js'

/** What every part of a gateway shares: its options, budget, hooks and lifecycle. */
export interface GatewayContext {
  readonly options: ResolvedOptions
  /** `undefined` when retries are off. */
  readonly budget: RetryBudget | undefined
  /** Tell `onError` of a failure (a throwing hook is contained). */
  readonly report: (error: GatewayError, context: FailureContext) => void
  /** Tell `onRetry` of a retry (a throwing hook is contained). */
  readonly retrying: (context: RetryContext) => void
  /** `closing` once the gateway's `close()` began: no new upstream calls are taken. */
  readonly lifecycle: { readonly closing: boolean }
}
