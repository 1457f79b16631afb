import { describe, expect, it } from 'vitest'
import type { ResolvedTarget } from '~core/options/resolveOptions.js'
import { Origins } from '~core/targets/Origins.js'
import { TargetQueue } from '~core/targets/TargetQueue.js'
import type { Destination } from '~core/targets/TargetSet.js'
import { TargetState } from '~core/targets/TargetState.js'

const target = (origin: string): ResolvedTarget => ({ origin, basePath: '', url: new URL(origin) })

/** Origins whose destinations are plain records, and the list of those retired, in order. */
function origins(max: number) {
  const retired: string[] = []
  const made: string[] = []
  const room = new Origins(
    max,
    (t): Destination => {
      made.push(t.origin)
      return {
        target: t,
        dispatcher: undefined as never,
        circuit: undefined,
        queue: new TargetQueue(1, 10),
        state: new TargetState(),
      }
    },
    (d) => retired.push(d.target.origin),
  )
  return { room, retired, made }
}

describe('Origins: destinations on demand, in a bounded LRU', () => {
  it('makes an origin once, and hands the same destination to every request for it', () => {
    const { room, made } = origins(2)
    const first = room.acquire(target('http://a'))
    room.release(first)
    expect(room.acquire(target('http://a'))).toBe(first)
    expect(made).toEqual(['http://a'])
  })

  it('past the bound, forgets the least recently used idle origin (a hit makes an origin recent)', () => {
    const { room, retired } = origins(2)
    for (const origin of ['http://a', 'http://b', 'http://a', 'http://c']) room.release(room.acquire(target(origin)))
    expect(retired).toEqual(['http://b'])
    expect([...room.destinations()].map((d) => d.target.origin)).toEqual(['http://a', 'http://c'])
  })

  it('never forgets an origin with a request routed, queued or in flight; trims once it is idle', () => {
    const { room, retired } = origins(1)
    const a = room.acquire(target('http://a'))
    const b = room.acquire(target('http://b'))
    // both routed: the bound gives way
    expect(room.size).toBe(2)
    expect(retired).toEqual([])
    // a's exchange holds a queue place after its attempt loop ended (its body streams)
    expect(a.queue?.tryTake()).toBe(true)
    room.release(a)
    room.release(b)
    expect(retired).toEqual(['http://b'])
    a.queue?.give()
    room.release(room.acquire(target('http://c')))
    expect(retired).toEqual(['http://b', 'http://a'])
    expect(room.size).toBe(1)
  })
})
