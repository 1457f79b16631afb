import { describe, expect, it } from 'vitest'
import { GatewayError } from '~core/errors/GatewayError.js'
import { clientAttributes } from '~core/observe/clientAttributes.js'
import { errorType } from '~core/observe/errorType.js'

describe('clientAttributes', () => {
  it.each([
    [
      'GET',
      'http://127.0.0.1:4000',
      { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'server.port': 4000 },
    ],
    [
      'PATCH',
      'http://api.internal',
      { 'http.request.method': 'PATCH', 'server.address': 'api.internal', 'server.port': 80 },
    ],
    [
      'POST',
      'https://api.internal',
      { 'http.request.method': 'POST', 'server.address': 'api.internal', 'server.port': 443 },
    ],
    [
      'PURGE',
      'https://[::1]:8443',
      { 'http.request.method': '_OTHER', 'server.address': '[::1]', 'server.port': 8443 },
    ],
    ['get', 'http://[fe80::1]', { 'http.request.method': '_OTHER', 'server.address': '[fe80::1]', 'server.port': 80 }],
    ['GET', '', { 'http.request.method': 'GET' }],
  ])('%s %s -> %j: bounded (an unknown method is _OTHER)', (method, origin, expected) => {
    expect(clientAttributes(method, origin)).toEqual(expected)
  })

  it('without a method, the server alone', () => {
    expect(clientAttributes(undefined, 'http://127.0.0.1:4000')).toEqual({
      'server.address': '127.0.0.1',
      'server.port': 4000,
    })
  })
})

describe('errorType', () => {
  it.each([
    [200, undefined, undefined],
    [304, undefined, undefined],
    [404, undefined, '404'],
    [503, undefined, '503'],
    [undefined, new GatewayError('connection_refused'), 'connection_refused'],
    [undefined, new GatewayError('request_timeout'), 'http_request_error'],
    [undefined, new GatewayError('http_response_timeout'), 'http_response_timeout'],
    [undefined, undefined, '_OTHER'],
  ])('status %s, failure %s -> %s', (status, error, expected) => {
    expect(errorType(status, error)).toBe(expected)
  })
})
