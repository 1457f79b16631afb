import { describe, expect, it } from 'vitest'
import { withAttemptHeaders } from '~core/upstream/withAttemptHeaders.js'

const OWN = ['traceparent', '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01', 'tracestate', 'gw=1']

describe('withAttemptHeaders', () => {
  it("replaces the request's fields of those names, whatever their case, in a list", () => {
    const headers = ['Host', 'x', 'TraceParent', 'from-the-client', 'accept', '*/*', 'tracestate', 'caller=1']
    expect(withAttemptHeaders(headers, OWN)).toEqual(['Host', 'x', 'accept', '*/*', ...OWN])
    // the request's own list is shared by its attempts: left as it was
    expect(headers).toHaveLength(8)
  })

  it('in a record', () => {
    const headers = { 'x-request-id': 'r1', Traceparent: 'from-the-route' }
    expect(withAttemptHeaders(headers, OWN)).toEqual({ 'x-request-id': 'r1', traceparent: OWN[1], tracestate: 'gw=1' })
    expect(headers).toEqual({ 'x-request-id': 'r1', Traceparent: 'from-the-route' })
  })

  it('in an iterable of entries, and without headers', () => {
    expect(withAttemptHeaders(new Map([['traceparent', 'old']]), OWN)).toEqual({
      traceparent: OWN[1],
      tracestate: 'gw=1',
    })
    expect(withAttemptHeaders(undefined, OWN)).toEqual(OWN)
  })

  it('keeps a field whose name only shares the length', () => {
    expect(withAttemptHeaders(['tracestamp', 'x'], ['tracestate', 'y'])).toEqual(['tracestamp', 'x', 'tracestate', 'y'])
  })
})
