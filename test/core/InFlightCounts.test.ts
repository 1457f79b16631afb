import type { Attributes, ObservableResult } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import type { PhaseRecord } from '~core/events/PhaseRecord.js'
import { AttributeSets } from '~core/observe/AttributeSets.js'
import { InFlightCounts } from '~core/observe/InFlightCounts.js'

/** What one collection of the counts observes. */
function observed(counts: InFlightCounts): Array<[number, Attributes]> {
  const seen: Array<[number, Attributes]> = []
  counts.report({
    observe: (value: number, attributes: Attributes = {}) => seen.push([value, attributes]),
  } as ObservableResult)
  return seen
}

const phases = (): PhaseRecord => ({
  started: 0,
  connected: undefined,
  sent: undefined,
  firstByte: undefined,
  ended: undefined,
})
const UP = { 'server.address': '127.0.0.1', 'server.port': 4000 }

describe('InFlightCounts', () => {
  it('counts attempts under way by method and target, reports 0 once they ended, ignores an end it did not see start', () => {
    const counts = new InFlightCounts()
    const sets = new AttributeSets()
    const [a, b, c, d] = [phases(), phases(), phases(), phases()]
    counts.started(a, sets.of('GET', 'http://127.0.0.1:4000'))
    counts.started(b, sets.of('GET', 'http://127.0.0.1:4000'))
    counts.started(c, sets.of('BREW', 'http://127.0.0.1:4000'))
    // every method the conventions do not know is one set: _OTHER, counted once
    counts.started(d, sets.of('MAKEUP', 'http://127.0.0.1:4000'))
    expect(observed(counts)).toEqual([
      [2, { 'http.request.method': 'GET', ...UP }],
      [2, { 'http.request.method': '_OTHER', ...UP }],
    ])
    counts.ended(d)
    counts.ended(a)
    counts.ended(a)
    counts.ended(b)
    counts.ended(phases())
    expect(observed(counts)).toEqual([
      [0, { 'http.request.method': 'GET', ...UP }],
      [1, { 'http.request.method': '_OTHER', ...UP }],
    ])
  })

  it('counts at most 2000 attribute sets, the rest in one overflow set (as the SDK does)', () => {
    const counts = new InFlightCounts()
    const sets = new AttributeSets()
    for (let port = 1; port <= 2001; port++) counts.started(phases(), sets.of('GET', `http://10.0.0.1:${port}`))
    const seen = observed(counts)
    expect(seen).toHaveLength(2001)
    expect(seen.at(-1)).toEqual([1, { 'otel.metric.overflow': true }])
  })
})
