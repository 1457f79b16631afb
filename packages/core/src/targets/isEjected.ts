import type { Circuit } from './Circuit.js'
import type { TargetState } from './TargetState.js'

/**
 * Whether a target is out of the rotation now: its latest health check failed, or passive health
 * ejected it and its rest is not over. A half-open target (its rest over, the next request its trial)
 * is not: it takes a request. `health()`, the `gateway.targets.ejected` metric and the ejection limit
 * of outlier detection all read this.
 */
export function isEjected(
  { circuit, state }: { readonly circuit: Circuit | undefined; readonly state: TargetState },
  now: number,
): boolean {
  return state.failingProbe || circuit?.ejected(now) === true
}
