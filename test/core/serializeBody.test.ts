import { describe, expect, it } from 'vitest'
import { serializeBody } from '~core/proxy/serializeBody.js'

describe('serializeBody', () => {
  it.each([
    ['application/json', { a: 1, b: [true, null] }, '{"a":1,"b":[true,null]}'],
    ['application/json; charset=utf-8', 'text', '"text"'],
    ['Application/JSON', null, 'null'],
    ['application/vnd.api+json', { a: 1 }, '{"a":1}'],
    ['application/x-www-form-urlencoded', { a: '1', b: 'x y&z' }, 'a=1&b=x+y%26z'],
    // cannot be written back as it arrived: refused, not guessed
    ['application/json', undefined, undefined],
    ['application/x-www-form-urlencoded', { a: ['1', '2'] }, undefined],
    ['application/x-www-form-urlencoded', { a: { b: '1' } }, undefined],
    ['application/x-www-form-urlencoded', 'a=1', undefined],
    // no serializer: never multipart, nor a type it does not know
    ['multipart/form-data; boundary=x', { a: '1' }, undefined],
    ['text/plain', 'hello', undefined],
    ['application/jsonx', { a: 1 }, undefined],
    [undefined, { a: 1 }, undefined],
  ])('%s %j -> %s', (type, value, expected) => {
    expect(serializeBody(type, value)?.toString('latin1')).toBe(expected)
  })
})
