import { describe, expect, it } from 'vitest'
import { errorRequest } from '~core/error-pages/errorRequest.js'
import { isSafeRequestId, requestId } from '~core/http/requestId.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('request id', () => {
  it.each([
    ['abc', true],
    ['01HZX3.trace:span-1_2', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['', false],
    ['<script>', false],
    ['a b', false],
    ['a"b', false],
    ["a'b", false],
    ['a&b', false],
    ['é', false],
  ])('%j safe: %s', (value, safe) => {
    expect(isSafeRequestId(value)).toBe(safe)
  })

  it('keeps the first safe X-Request-Id, whatever its case', () => {
    expect(requestId(['Host', 'x', 'X-Request-ID', 'bad id', 'x-request-id', 'good'])).toBe('good')
  })

  it('generates a UUID when there is none or none is safe', () => {
    expect(requestId([])).toMatch(UUID)
    expect(requestId(['x-request-id', '<b>'])).toMatch(UUID)
  })
})

describe('errorRequest', () => {
  it('reads Accept and a safe X-Request-Id in one pass', () => {
    expect(
      errorRequest({ method: 'GET', url: '/x', rawHeaders: ['ACCEPT', 'text/plain', 'X-Request-Id', 'id-1'] }),
    ).toEqual({ method: 'GET', url: '/x', accept: 'text/plain', requestId: 'id-1' })
  })

  it('the id already forwarded upstream wins', () => {
    expect(errorRequest({ method: 'GET', url: '/', rawHeaders: ['x-request-id', 'id-1'] }, 'sent').requestId).toBe(
      'sent',
    )
  })

  it('without raw headers: no Accept, a new id', () => {
    const request = errorRequest({ method: 'HEAD', url: '/' })
    expect(request.accept).toBeUndefined()
    expect(request.requestId).toMatch(UUID)
  })
})
