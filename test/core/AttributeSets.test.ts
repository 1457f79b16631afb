import { describe, expect, it } from 'vitest'
import { GatewayError } from '~core/errors/GatewayError.js'
import { AttributeSets, MAX_ATTRIBUTE_SETS } from '~core/observe/AttributeSets.js'

const UP = { 'server.address': '127.0.0.1', 'server.port': 4000 }

describe('AttributeSets', () => {
  it('makes each target and method set once, frozen; every unknown method is the one _OTHER set', () => {
    const sets = new AttributeSets()
    const get = sets.of('GET', 'http://127.0.0.1:4000')
    expect(sets.of('GET', 'http://127.0.0.1:4000')).toBe(get)
    expect(get.base).toEqual({ 'http.request.method': 'GET', ...UP })
    expect(Object.isFrozen(get.base)).toBe(true)
    expect(sets.of('BREW', 'http://127.0.0.1:4000')).toBe(sets.of('MAKEUP', 'http://127.0.0.1:4000'))
    expect(sets.of('BREW', 'http://127.0.0.1:4000').method).toBe('_OTHER')
  })

  it("outcomes: the status, the conventions' error.type for a failure, an answer ≥ 400 and a call without either; each made once", () => {
    const set = new AttributeSets().of('GET', 'http://127.0.0.1:4000')
    const refused = new GatewayError('connection_refused', { phase: 'connect' })
    const base = { 'http.request.method': 'GET', ...UP }
    const rows: Array<[number | undefined, GatewayError | undefined, object]> = [
      [200, undefined, { ...base, 'http.response.status_code': 200 }],
      [503, undefined, { ...base, 'http.response.status_code': 503, 'error.type': '503' }],
      [undefined, refused, { ...base, 'error.type': 'connection_refused' }],
      [undefined, undefined, { ...base, 'error.type': '_OTHER' }],
    ]
    for (const [status, error, expected] of rows) {
      const made = set.outcome(status, error)
      expect(made).toEqual(expected)
      expect(Object.isFrozen(made)).toBe(true)
      expect(set.outcome(status, error)).toBe(made)
    }
  })

  it(`keeps at most ${MAX_ATTRIBUTE_SETS} sets (guard mode calls any origin): beyond, each is made anew`, () => {
    const sets = new AttributeSets()
    for (let port = 1; port <= MAX_ATTRIBUTE_SETS; port++) sets.of('GET', `http://10.0.0.1:${port}`)
    const beyond = sets.of('GET', 'http://10.0.0.2:80')
    expect(beyond.base).toEqual({ 'http.request.method': 'GET', 'server.address': '10.0.0.2', 'server.port': 80 })
    expect(sets.of('GET', 'http://10.0.0.2:80')).not.toBe(beyond)
  })
})
