import { describe, expect, it } from 'vitest'
import { type ResolvedTarget, resolveOptions } from '~core/options/resolveOptions.js'
import { clientResponseHeaders } from '~core/proxy/clientResponseHeaders.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'

const options = resolveOptions({ target: 'http://10.1.2.3:8080/v1' })
const request = {
  ...fromNodeRequest({ method: 'GET', headers: {}, rawHeaders: [], httpVersion: '1.1', socket: {} } as never, {
    url: '/x',
    mountPath: '/api',
    signal: new AbortController().signal,
  }),
}
const sent = { headers: [], clientProto: 'https', clientHost: 'shop.example', idempotencyKey: false, requestId: 'r1' }
const location = (value: string) =>
  clientResponseHeaders(
    [Buffer.from('Location'), Buffer.from(value)],
    request,
    sent,
    options.targets[0] as ResolvedTarget,
    options,
  ).location

describe('clientResponseHeaders: Location on the target', () => {
  it.each([
    ['http://10.1.2.3:8080/v1/cart?id=1', 'https://shop.example/api/cart?id=1'],
    ['http://10.1.2.3:8080/v1', 'https://shop.example/api/'],
    ['HTTP://10.1.2.3:8080/v1/a#top', 'https://shop.example/api/a#top'],
    ['http://10.1.2.3:8080/other', 'https://shop.example/api/other'],
    ['http://10.1.2.3:8080/v10/x', 'https://shop.example/api/v10/x'],
    ['http://10.1.2.3:80800/x', 'http://10.1.2.3:80800/x'],
    ['https://elsewhere.example/v1/x', 'https://elsewhere.example/v1/x'],
    ['/v1/relative', '/v1/relative'],
  ])('%s -> %s', (value, expected) => {
    expect(location(value)).toBe(expected)
  })
})
