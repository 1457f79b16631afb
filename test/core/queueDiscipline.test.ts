import { describe, expect, it } from 'vitest'
import {
  queueDiscipline,
  STANDING_INTERVAL_MS,
  STANDING_MAX_WAIT_MS,
  standingSince,
} from '~core/policy/queueDiscipline.js'

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

  it.each([
    // [busy since, ran dry at, a request joins at, counts as busy since]
    // a burst (busy 50 ms) that drained: a new line
    [1000, 1050, 1060, 1060],
    // a standing line (busy 500 ms) dry for 10 ms: still standing
    [1000, 1500, 1510, 1000],
    // a standing line dry for a whole interval: a new line
    [1000, 1500, 1500 + STANDING_INTERVAL_MS, 1500 + STANDING_INTERVAL_MS],
    // the first request ever
    [0, Number.NEGATIVE_INFINITY, 5, 5],
  ])('a line busy since %d, dry at %d, joined at %d: busy since %d', (busySince, emptiedAt, now, since) => {
    expect(standingSince(busySince, emptiedAt, now)).toBe(since)
  })
})
