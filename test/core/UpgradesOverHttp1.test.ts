import { Pool } from 'undici'
import { describe, expect, it } from 'vitest'
import { UpgradesOverHttp1 } from '~core/gateway/UpgradesOverHttp1.js'

/** The http2 gateway's dispatcher: close() and destroy() reach both pools, in each calling style. */
describe('UpgradesOverHttp1', () => {
  const pools = () => [new Pool('https://127.0.0.1:1'), new Pool('https://127.0.0.1:1')] as const

  it('close() closes both pools, as a promise and with a callback', async () => {
    const [h2, h1] = pools()
    await new UpgradesOverHttp1(h2, h1).close()
    expect([h2.closed, h1.closed]).toEqual([true, true])
    const [h2b, h1b] = pools()
    await new Promise<void>((resolve) => new UpgradesOverHttp1(h2b, h1b).close(resolve))
    expect([h2b.closed, h1b.closed]).toEqual([true, true])
  })

  it('destroy() destroys both pools, with or without an error and a callback', async () => {
    const [h2, h1] = pools()
    await new UpgradesOverHttp1(h2, h1).destroy(new Error('closing'))
    expect([h2.destroyed, h1.destroyed]).toEqual([true, true])
    const [h2b, h1b] = pools()
    await new Promise<void>((resolve) => new UpgradesOverHttp1(h2b, h1b).destroy(resolve))
    expect([h2b.destroyed, h1b.destroyed]).toEqual([true, true])
  })
})
