import { describe, expect, it } from 'vitest'
import { queueDiscipline, STANDING_INTERVAL_MS, STANDING_MAX_WAIT_MS } from '~core/policy/queueDiscipline.js'

describe('queueDiscipline (adaptive LIFO with controlled delay)', () => {
  it.each([
    // [ms the line has been non-empty, timeout.queue, newest first?, longest wait]
    [0, 250, false, 250],
    [STANDING_INTERVAL_MS - 1, 250, false, 250],
    [STANDING_INTERVAL_MS, 250, true, STANDING_MAX_WAIT_MS],
    [5_000, 250, true, STANDING_MAX_WAIT_MS],
    // a timeout.queue below the standing wait stays the limit
    [5_000, 3, true, 3],
    [0, 3, false, 3],
  ])(
    'a line non-empty for %i ms (timeout.queue %i): newest first %s, longest wait %i ms',
    (standingMs, timeoutMs, newestFirst, maxWaitMs) => {
      expect(queueDiscipline(standingMs, timeoutMs)).toEqual({ newestFirst, maxWaitMs })
    },
  )
})
