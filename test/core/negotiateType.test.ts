import { describe, expect, it } from 'vitest'
import type { ErrorPageType } from '~core/error-pages/ErrorPages.js'
import { ERROR_PAGE_TYPES, negotiateType } from '~core/error-pages/negotiateType.js'

const htmlFirst = ERROR_PAGE_TYPES
const jsonFirst: readonly ErrorPageType[] = [
  'application/problem+json',
  ...ERROR_PAGE_TYPES.filter((type) => type !== 'application/problem+json'),
]

describe('negotiateType', () => {
  it.each([
    [undefined, 'text/html'],
    ['', 'text/html'],
    ['*/*', 'text/html'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', 'text/html'],
    ['application/json', 'application/json'],
    ['application/json, text/plain, */*', 'application/json'],
    ['application/problem+json', 'application/problem+json'],
    ['application/*', 'application/problem+json'],
    ['application/vnd.api+json', 'application/problem+json'],
    ['application/vnd.api+json, text/html;q=0.5', 'application/problem+json'],
    ['text/html;q=0.5, application/vnd.api+json;q=0.4', 'text/html'],
    ['text/plain', 'text/plain'],
    ['text/plain;q=0.9, text/html;q=0.1', 'text/plain'],
    ['text/*', 'text/html'],
    ['image/png', 'text/html'],
    ['not a media type at all', 'text/html'],
  ] as const)('Accept %j -> %s', (accept, expected) => {
    expect(negotiateType(accept, htmlFirst)).toBe(expected)
  })

  it.each([
    [undefined, 'application/problem+json'],
    ['*/*', 'application/problem+json'],
    ['image/png', 'application/problem+json'],
    ['text/html', 'text/html'],
  ] as const)('with problem+json as the default: Accept %j -> %s', (accept, expected) => {
    expect(negotiateType(accept, jsonFirst)).toBe(expected)
  })
})
