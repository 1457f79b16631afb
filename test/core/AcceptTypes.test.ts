import { describe, expect, it } from 'vitest'
import { AcceptTypes } from '~core/error-pages/AcceptTypes.js'
import { ACCEPT_CACHE_ENTRIES, ACCEPT_CACHE_KEY_LENGTH } from '~core/error-pages/errorPageDefaults.js'
import { ERROR_PAGE_TYPES, negotiateType } from '~core/error-pages/negotiateType.js'

const ACCEPTS = [
  undefined,
  '',
  '*/*',
  'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'application/json, text/plain, */*',
  'application/vnd.api+json',
  'text/plain;q=0.9, text/html;q=0.1',
  'image/png',
]

describe('AcceptTypes', () => {
  it.each(ACCEPTS)('Accept %j: what negotiateType says, asked once or again', (accept) => {
    const types = new AcceptTypes(ERROR_PAGE_TYPES)
    expect(types.typeFor(accept)).toBe(negotiateType(accept, ERROR_PAGE_TYPES))
    expect(types.typeFor(accept)).toBe(negotiateType(accept, ERROR_PAGE_TYPES))
  })

  it('follows its own offers (the configured default type first)', () => {
    const types = new AcceptTypes(['text/plain', 'text/html', 'application/problem+json', 'application/json'])
    expect(types.typeFor('*/*')).toBe('text/plain')
    expect(types.typeFor(undefined)).toBe('text/plain')
  })

  it('a flood of distinct Accept values keeps the cache bounded (the client chooses them)', () => {
    const types = new AcceptTypes(ERROR_PAGE_TYPES)
    for (let i = 0; i < ACCEPT_CACHE_ENTRIES * 3; i++) {
      expect(types.typeFor(`application/x-${i}, text/plain;q=0.5`)).toBe('text/plain')
      expect(types.size).toBeLessThanOrEqual(ACCEPT_CACHE_ENTRIES)
    }
    const long = `text/plain, ${'x/y, '.repeat(ACCEPT_CACHE_KEY_LENGTH)}`
    const before = types.size
    expect(types.typeFor(long)).toBe('text/plain')
    expect(types.size).toBe(before)
  })
})
