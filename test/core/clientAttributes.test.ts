import { describe, expect, it } from 'vitest'
import { GatewayError } from '~core/errors/GatewayError.js'
import { clientAttributes } from '~core/observe/clientAttributes.js'
import { errorType } from '~core/observe/errorType.js'

describe('clientAttributes', () => {
  it.each([
    ['GET', 'http://127.0.0.1:4000', 'GET', '127.0.0.1', 4000],
    ['PATCH', 'http://api.internal', 'PATCH', 'api.internal', 80],
    ['POST', 'https://api.internal', 'POST', 'api.internal', 443],
    ['PURGE', 'https://[::1]:8443', '_OTHER', '[::1]', 8443],
    ['get', 'http://[fe80::1]', '_OTHER', '[fe80::1]', 80],
  ])('%s %s -> http.request.method %s, server %s port %s: bounded', (method, origin, known, address, port) => {
    expect(clientAttributes(method, origin)).toEqual({
      'http.request.method': known,
      'server.address': address,
      'server.port': port,
    })
  })

  it('without a target, the method alone', () => {
    expect(clientAttributes('GET', '')).toEqual({ 'http.request.method': 'GET' })
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
