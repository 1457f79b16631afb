import { describe, expect, it } from 'vitest'
import { CLOSE_STEPS_MS, graceWithin } from '~core/gateway/graceWithin.js'

describe('graceWithin', () => {
  it.each([
    ['the defaults (10 s each): the grace ends before the hook fails', 10_000, 10_000, 10_000 - CLOSE_STEPS_MS],
    ['a grace period longer than the hook may run: what the hook leaves', 30_000, 10_000, 10_000 - CLOSE_STEPS_MS],
    ['a grace period well within the hook: kept whole', 2_000, 10_000, 2_000],
    ['no limit on the hook (0): kept whole', 30_000, 0, 30_000],
    ['a hook shorter than the last steps: no grace at all, never negative', 5_000, 100, 0],
  ])('%s', (_case, gracePeriod, hookTimeout, expected) => {
    expect(graceWithin(gracePeriod, hookTimeout)).toBe(expected)
  })
})
