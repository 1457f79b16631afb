import { describe, expect, it } from 'vitest'
import { isGatewayError } from '~core/errors/GatewayError.js'
import type { TargetRequest } from '~core/options/options.js'
import { TargetRouter } from '~core/targets/TargetRouter.js'

const request: TargetRequest = { method: 'GET', url: '/', headers: {}, remoteAddress: '127.0.0.1' }

/** What a router makes of one result: the target, or the reason it refused. */
async function routed(result: unknown): Promise<{ origin: string; basePath: string } | string> {
  try {
    const { origin, basePath } = await new TargetRouter(() => result as string).route(request, Number.POSITIVE_INFINITY)
    return { origin, basePath }
  } catch (error) {
    if (!isGatewayError(error) || error.code !== 'proxy_internal_error') throw error
    return (error.cause as Error).message.replace('gateway-middleware: the target function ', '')
  }
}

describe('TargetRouter: what a target function may name', () => {
  it.each([
    ['http://api.internal:8080', { origin: 'http://api.internal:8080', basePath: '' }],
    ['https://API.internal/v1/', { origin: 'https://api.internal', basePath: '/v1' }],
    [new URL('http://api.internal/tenants/a'), { origin: 'http://api.internal', basePath: '/tenants/a' }],
    [Promise.resolve('http://api.internal/x'), { origin: 'http://api.internal', basePath: '/x' }],
    ['/relative', 'returned a string that is not an absolute URL'],
    ['not a url', 'returned a string that is not an absolute URL'],
    ['file:///etc/passwd', /^returned a file: URL: expected an http: or https: URL/],
    ['javascript:alert(1)', /^returned a javascript: URL/],
    ['http://user:secret@api.internal', /^returned a URL: expected a URL without credentials/],
    ['http://api.internal/?tenant=a', /^returned a URL: expected a URL without query string or fragment/],
    ['http://api.internal/a/../admin', 'returned a URL with a . or .. segment'],
    ['http://api.internal/a/%2E%2e/admin', 'returned a URL with a . or .. segment'],
    ['http://api.internal/a/./b', 'returned a URL with a . or .. segment'],
    ['http://api.internal/a/..', 'returned a URL with a . or .. segment'],
    ['http://api.internal\\a\\..\\admin', 'returned a URL with a . or .. segment'],
    ['http://api.internal/a%2F..', 'returned a URL whose path has an encoded slash or backslash'],
    ['http://api.internal/a%5cb', 'returned a URL whose path has an encoded slash or backslash'],
    // dots inside a segment are a name, not a traversal
    ['http://api.internal/v1.2/..x', { origin: 'http://api.internal', basePath: '/v1.2/..x' }],
    [undefined, 'returned undefined, not a URL'],
    [null, 'returned null, not a URL'],
    [42, 'returned number, not a URL'],
  ])('%s -> %j', async (result, expected) => {
    const got = await routed(result)
    if (expected instanceof RegExp) expect(got).toMatch(expected)
    else expect(got).toEqual(expected)
  })

  it('a throw and a rejection are the app’s bug, with the thrown error kept as the cause’s cause', async () => {
    const thrown = new Error('no tenant')
    for (const fn of [
      () => {
        throw thrown
      },
      () => Promise.reject(thrown),
    ]) {
      const error = await new TargetRouter(fn).route(request, Number.POSITIVE_INFINITY).catch((e: unknown) => e)
      expect(isGatewayError(error) && error.code).toBe('proxy_internal_error')
      expect(((error as Error).cause as Error).message).toBe(
        'gateway-middleware: the target function threw or rejected',
      )
      expect(((error as Error).cause as Error).cause).toBe(thrown)
    }
  })

  it('a promise that has not settled by the deadline is a 504 http_response_timeout, not the app’s 500', async () => {
    const never = new TargetRouter(() => new Promise<string>(() => {}))
    const error = await never.route(request, 50).catch((e: unknown) => e)
    expect(isGatewayError(error) && error.code).toBe('http_response_timeout')
  })

  it('never puts the URL in the reason (it may carry credentials)', async () => {
    expect(await routed('http://user:secret@api.internal')).not.toContain('secret')
  })
})
