import { describe, expect, it } from 'vitest'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { rewritesType } from '~core/proxy/rewriteBody.js'

const resolved = resolveOptions({
  target: 'http://127.0.0.1:4000',
  rewriteResponseBody: { types: ['text/html', 'application/json', 'image/*'], rewrite: (body) => body },
}).rewriteResponseBody

describe('rewritesType', () => {
  it.each([
    ['text/html', true],
    ['text/html; charset=utf-8', true],
    ['TEXT/HTML ; charset=utf-8', true],
    ['application/json', true],
    ['image/svg+xml', true],
    // never a substring match
    ['text/htmlx', false],
    ['application/xhtml+xml', false],
    ['application/json-seq', false],
    ['application/problem+json', false],
    ['xtext/html', false],
    ['imagex/png', false],
    ['text/plain', false],
    ['', false],
    [undefined, false],
    [['text/html', 'text/html'], false],
  ])('%j -> %s', (contentType, expected) => {
    expect(rewritesType(contentType, resolved as NonNullable<typeof resolved>)).toBe(expected)
  })
})
