import { describe, expect, it } from 'vitest'
import { type ResolvedOptions, type ResolvedTarget, resolveOptions } from '~core/options/resolveOptions.js'
import { upstreamPath } from '~core/proxy/upstreamPath.js'

const withBase = resolveOptions({ target: 'http://127.0.0.1:4000/v1' })
const noBase = resolveOptions({ target: 'http://127.0.0.1:4000' })

/** The options' one target. */
const target = (options: ResolvedOptions): ResolvedTarget => options.targets[0] as ResolvedTarget

describe('upstreamPath', () => {
  it.each([
    ['/users', '/v1/users'],
    ['/', '/v1/'],
    ['/a?x=%2F&y=1&&z', '/v1/a?x=%2F&y=1&&z'],
    ['/a?q=../../etc', '/v1/a?q=../../etc'],
    ['/a/../../admin', '/v1/admin'],
    ['/%2e%2e/admin', '/v1/admin'],
    ['/a/./b/.', '/v1/a/b/'],
    ['//evil.example/x', '/v1//evil.example/x'],
    ['/@evil.example', '/v1/@evil.example'],
    ['/%2F%2Fevil.example', '/v1/%2F%2Fevil.example'],
    ['/\\\\evil.example', '/v1/\\\\evil.example'],
    ['http://evil.example/x?y=1', '/v1/x?y=1'],
    ['http://evil.example', '/v1/'],
    ['*', '/v1/*'],
  ])('joins %s under the target prefix as %s', (url, expected) => {
    expect(upstreamPath(url, target(withBase), withBase)).toBe(expected)
  })

  it('keeps the path as is when the target has no prefix', () => {
    expect(upstreamPath('/a/b?c', target(noBase), noBase)).toBe('/a/b?c')
  })

  it('applies rewritePath to the path only, and the result stays a path', () => {
    const options = resolveOptions({
      target: 'http://127.0.0.1:4000/v1',
      rewritePath: (p) => p.replace('/old', 'http://evil.example'),
    })
    expect(upstreamPath('/old/x?q=1', target(options), options)).toBe('/v1/http://evil.example/x?q=1')
  })
})
