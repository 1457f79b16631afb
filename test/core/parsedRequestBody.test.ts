import { describe, expect, it } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
import { parsedRequestBody } from '~core/proxy/parsedRequestBody.js'
import type { GatewayRequest } from '~core/seam/GatewayRequest.js'

/** What an adapter hands the core for a body a parser read: its headers and the parser's result. */
function parsed(headers: Record<string, string>, raw: Buffer | string | undefined, value: unknown): GatewayRequest {
  return { rawHeaders: Object.entries(headers).flat(), parsedBody: { raw, value } } as unknown as GatewayRequest
}

function refused(request: GatewayRequest): boolean {
  try {
    parsedRequestBody(request, request.rawHeaders)
    return false
  } catch (error) {
    return isGatewayError(error) && error.code === 'proxy_internal_error'
  }
}

const JSON_TYPE = { 'content-type': 'application/json' }

describe('parsedRequestBody: the empty placeholder Express 4 leaves when its parser fails', () => {
  it.each([
    ['the bytes of a failed JSON parse', { ...JSON_TYPE, 'content-length': '16' }, '{"role":"admin",', true],
    ['no bytes, a declared body too long to be {}', { ...JSON_TYPE, 'content-length': '16' }, undefined, true],
    ['no bytes, a chunked body (no length)', JSON_TYPE, undefined, true],
    ['the bytes {} (an honest empty object)', { ...JSON_TYPE, 'content-length': '2' }, '{}', false],
    ['the bytes { } with spaces', { ...JSON_TYPE, 'content-length': '5' }, ' { } ', false],
    ['an empty form', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' }, '', false],
    ['no bytes, a declared body of 2 bytes', { ...JSON_TYPE, 'content-length': '2' }, undefined, false],
  ])('%s: refused %s', (_name, headers, raw, expected) => {
    expect(refused(parsed(headers, raw, {}))).toBe(expected)
  })

  it('an object with fields is a parsed body, whatever its size', () => {
    expect(refused(parsed({ ...JSON_TYPE, 'content-length': '16' }, '{"role":"admin"}', { role: 'admin' }))).toBe(false)
  })
})
