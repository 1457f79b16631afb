/**
 * How much of a host's deadline for a close hook the gateway keeps for its own last steps, after the
 * grace period: aborting what still runs and closing the pools, in ms.
 */
export const CLOSE_STEPS_MS = 500

/**
 * The grace period `close()` can be given inside a close hook that the framework fails when it runs
 * longer than `hookTimeoutMs` (Fastify's `pluginTimeout`; `0`: no limit): `gracePeriodMs`, or what
 * is left of the hook's time after {@link CLOSE_STEPS_MS} when that is shorter, so that the
 * gateway aborts what still runs and reports it rather than the framework failing the close.
 */
export function graceWithin(gracePeriodMs: number, hookTimeoutMs: number): number {
  if (hookTimeoutMs <= 0) return gracePeriodMs
  return Math.max(0, Math.min(gracePeriodMs, hookTimeoutMs - CLOSE_STEPS_MS))
}
