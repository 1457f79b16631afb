import { describe, expect, it } from 'vitest'
import { requestedUpgrade } from '~core/upgrade/requestedUpgrade.js'

describe('requestedUpgrade', () => {
  it.each([
    ['Upgrade named by Connection', ['Host', 'a', 'Connection', 'Upgrade', 'Upgrade', 'websocket'], 'websocket'],
    [
      'Connection after Upgrade, a version, upper case',
      ['Upgrade', 'WebSocket/13', 'connection', 'keep-alive, upgrade'],
      'websocket',
    ],
    [
      'a second Connection line names it',
      ['Connection', 'keep-alive', 'Upgrade', 'websocket', 'Connection', 'Upgrade'],
      'websocket',
    ],
    ['the first protocol offered', ['Connection', 'Upgrade', 'Upgrade', 'h2c, websocket'], 'h2c'],
    [
      'Upgrade that Connection does not name (RFC 9110 §7.8)',
      ['Connection', 'keep-alive', 'Upgrade', 'websocket'],
      undefined,
    ],
    ['Upgrade without Connection', ['Upgrade', 'websocket'], undefined],
    ['Connection: upgrade without Upgrade', ['Connection', 'upgrade'], undefined],
    ['a plain request', ['Host', 'a', 'Connection', 'keep-alive'], undefined],
    ['an empty Upgrade', ['Connection', 'Upgrade', 'Upgrade', ''], undefined],
  ])('%s', (_, raw, expected) => {
    expect(requestedUpgrade(raw)).toBe(expected)
  })
})
