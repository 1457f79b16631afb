import { describe, expect, it } from 'vitest'
import { STANDING_INTERVAL_MS, STANDING_MAX_WAIT_MS } from '~core/policy/queueDiscipline.js'
import { LightSignal } from '~core/seam/LightSignal.js'
import { TargetQueue } from '~core/targets/TargetQueue.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('TargetQueue', () => {
  it('a burst that drains is served in order with the whole timeout.queue, nothing shed', async () => {
    const queue = new TargetQueue(1, 100)
    const signal = new LightSignal()
    expect(queue.tryTake()).toBe(true)
    const order: number[] = []
    const waits = [1, 2, 3].map((n) => queue.wait(10_000, signal).then((shed) => order.push(n) && shed))
    // each place freed well before the line has stood for an interval
    for (let i = 0; i < 3; i++) {
      await sleep(5)
      queue.give()
    }
    expect(await Promise.all(waits)).toEqual([undefined, undefined, undefined])
    expect(order).toEqual([1, 2, 3])
    queue.give()
    expect(queue.inFlight).toBe(0)
  })

  it('a standing line sheds its oldest at once and serves the newest first', async () => {
    const queue = new TargetQueue(1, 100)
    const signal = new LightSignal()
    expect(queue.tryTake()).toBe(true)
    const old = [queue.wait(10_000, signal), queue.wait(10_000, signal)]
    // the line stays non-empty past the interval; the two waited far longer than a standing line allows
    await sleep(STANDING_INTERVAL_MS + 5 * STANDING_MAX_WAIT_MS)
    const newer = queue.wait(10_000, signal)
    // joining the standing line shed the old ones, long before their timeout.queue of 10 s
    expect(await Promise.all(old)).toEqual(['queue_standing', 'queue_standing'])
    const newest = queue.wait(10_000, signal)
    queue.give()
    expect(await newest).toBeUndefined()
    expect(queue.queued).toBe(1)
    queue.give()
    expect(await newer).toBeUndefined()
  })

  it('a standing line that runs dry for a moment is still standing when it fills again: newest first', async () => {
    const queue = new TargetQueue(1, 100)
    const signal = new LightSignal()
    expect(queue.tryTake()).toBe(true)
    const first = queue.wait(10_000, signal)
    await sleep(STANDING_INTERVAL_MS + 10)
    // the line has stood: its one waiter, long past the standing wait, is shed, and the line is dry
    queue.give()
    expect(await first).toBe('queue_standing')
    expect(queue.tryTake()).toBe(true)
    const older = queue.wait(10_000, signal)
    const newer = queue.wait(10_000, signal)
    queue.give()
    expect(await newer).toBeUndefined()
    expect(queue.queued).toBe(1)
    queue.give()
    expect(await older).toBeUndefined()
  })

  it('a full line answers queue_full, a wait that runs out queue_timeout', async () => {
    const queue = new TargetQueue(1, 1)
    const signal = new LightSignal()
    expect(queue.tryTake()).toBe(true)
    const waiting = queue.wait(20, signal)
    expect(await queue.wait(10_000, signal)).toBe('queue_full')
    expect(await waiting).toBe('queue_timeout')
  })

  it('after the limit fell, freed places are given up until the requests in flight are down to it', async () => {
    const queue = new TargetQueue(3, 100)
    const signal = new LightSignal()
    for (let i = 0; i < 3; i++) expect(queue.tryTake()).toBe(true)
    const waiting = queue.wait(10_000, signal)
    queue.setLimit(1)
    queue.give()
    queue.give()
    expect(queue.inFlight).toBe(1)
    expect(queue.queued).toBe(1)
    queue.give()
    expect(await waiting).toBeUndefined()
    expect(queue.inFlight).toBe(1)
  })
})
