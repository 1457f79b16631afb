import { describe, expect, it } from 'vitest'
import { type ResolvedRetry, resolveOptions } from '~core/options/resolveOptions.js'
import { backoff, retryAfterMs, retryDelay } from '~core/policy/retryDelay.js'

const policy = resolveOptions({ retry: { statusCodes: [503], on: ['http_response_timeout'] } }).retry as ResolvedRetry
const get = { method: 'GET', idempotencyKey: false, replayable: true, remainingMs: 60_000 }
const post = { ...get, method: 'POST' }
const half = () => 0.5

describe('retryDelay', () => {
  it.each([
    ['refused, GET', { code: 'connection_refused' }, get, 12],
    ['refused, POST: nothing reached the upstream', { code: 'connection_refused' }, post, 12],
    ['connect timeout, POST', { code: 'connection_timeout' }, post, 12],
    ['DNS failure, POST', { code: 'dns_error' }, post, 12],
    ['reset before headers, GET', { code: 'connection_terminated' }, get, 12],
    ['reset before headers, POST: may have been delivered', { code: 'connection_terminated' }, post, undefined],
    [
      'reset before headers, POST with Idempotency-Key',
      { code: 'connection_terminated' },
      { ...post, idempotencyKey: true },
      12,
    ],
    ['invalid response, GET: not retried unless opted in', { code: 'http_protocol_error' }, get, undefined],
    ['headers timeout, GET, opted in with retry.on', { code: 'http_response_timeout' }, get, 12],
    [
      'headers timeout, POST, opted in: still not for non-idempotent',
      { code: 'http_response_timeout' },
      post,
      undefined,
    ],
    ['no destination available', { code: 'destination_unavailable' }, get, undefined],
    ['listed 503, GET', { status: 503, retryAfter: undefined }, get, 12],
    ['listed 503, POST', { status: 503, retryAfter: undefined }, post, undefined],
    ['unlisted 502, GET', { status: 502, retryAfter: undefined }, get, undefined],
    ['listed 503 with Retry-After: 1', { status: 503, retryAfter: '1' }, get, 1000],
    ['listed 503 with Retry-After beyond maxDelay', { status: 503, retryAfter: '3' }, get, undefined],
    ['refused, body not replayable', { code: 'connection_refused' }, { ...get, replayable: false }, undefined],
    ['refused, deadline closer than the delay', { code: 'connection_refused' }, { ...get, remainingMs: 5 }, undefined],
  ] as const)('%s -> %s ms', (_name, outcome, request, expected) => {
    expect(retryDelay(outcome, 1, request, policy, Date.now(), half)).toBe(expected)
  })

  it('never retries past retry.limit', () => {
    expect(retryDelay({ code: 'connection_refused' }, 2, get, policy, Date.now(), half)).toBe(25)
    expect(retryDelay({ code: 'connection_refused' }, 3, get, policy, Date.now(), half)).toBeUndefined()
  })

  it('takes an HTTP-date Retry-After', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')
    expect(retryDelay({ status: 503, retryAfter: 'Wed, 25 Nov 2026 10:00:01 GMT' }, 1, get, policy, now, half)).toBe(
      1000,
    )
  })
})

describe('backoff', () => {
  it('is full jitter under an exponential ceiling capped at 250 ms', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoff(attempt, () => 0.999))).toEqual([24, 49, 99, 199, 249, 249])
    expect(backoff(3, () => 0)).toBe(0)
  })
})

describe('retryAfterMs', () => {
  it.each([
    ['0', 0],
    [' 2 ', 2000],
    ['soon', undefined],
    ['-1', undefined],
  ])('%j -> %s', (value, expected) => {
    expect(retryAfterMs(value)).toBe(expected)
  })
})
