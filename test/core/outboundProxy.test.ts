import { EnvHttpProxyAgent, fetch as undiciFetch, request as undiciRequest } from 'undici'
import { describe, expect, it } from 'vitest'
import { isAtOutboundProxy, markAtOutboundProxy } from '~core/errors/atOutboundProxy.js'
import { classify } from '~core/errors/classify.js'
import { resolveOptions } from '~core/options/resolveOptions.js'
import { resolveOutboundProxy } from '~core/options/resolveOutboundProxy.js'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { forwardProxy } from '../helpers/forwardProxy.js'

/** Run `make` and return what it threw: every row's error is captured from a real socket. */
async function captured(make: () => Promise<unknown>): Promise<unknown> {
  try {
    await make()
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail')
}

describe('classify: failures at the outbound proxy (errors from real sockets)', () => {
  /** A proxy agent on `proxy`, reading nothing from the environment. */
  const through = (proxy: string, proxyTunnel = true) =>
    new EnvHttpProxyAgent({ httpProxy: proxy, httpsProxy: proxy, noProxy: '', proxyTunnel })

  it.each<[string, string, number, 'request' | 'fetch' | 'absolute', number]>([
    ['undici request: CONNECT answered 407', 'connection_refused', 407, 'request', 502],
    ['undici request: CONNECT answered 502', 'connection_refused', 502, 'request', 502],
    ['undici request: CONNECT answered 504', 'connection_timeout', 504, 'request', 504],
    ['fetch: CONNECT answered 407 (two causes deep)', 'connection_refused', 407, 'fetch', 502],
    ['undici request, absolute form: answered 407', 'connection_refused', 407, 'absolute', 502],
  ])('%s -> %s', async (_name, code, status, how, answer) => {
    const proxy = await forwardProxy()
    proxy.refuseWith = status
    const agent = through(proxy.url, how !== 'absolute')
    // (the proxy refuses before anyone connects to it; 8 is a port fetch does not block)
    const url = 'http://127.0.0.1:8/x'
    const error = await captured(async () =>
      how === 'request'
        ? (await undiciRequest(url, { dispatcher: agent })).body.text()
        : undiciFetch(url, { dispatcher: agent }),
    )
    await agent.close()
    const failure = classify(error)
    expect(failure).toMatchObject({ code, status: answer, atOutboundProxy: true, receivedStatus: status })
    expect(failure?.cause).toBe(error)
    expect(failure?.message).not.toMatch(/127\.0\.0\.1|\d{4,5}/)
  })

  it('a refused connection marked as the proxy’s -> connection_refused at the outbound proxy', async () => {
    const agent = through(await refusedUrl())
    const error = await captured(() => undiciRequest('http://127.0.0.1:8/x', { dispatcher: agent }))
    await agent.close()
    // unmarked, it is the same errno error as a refusing target's: the gateway marks it where it connects
    expect(classify(error)).toMatchObject({ code: 'connection_refused', atOutboundProxy: false })
    expect(classify(markAtOutboundProxy(error))).toMatchObject({ code: 'connection_refused', atOutboundProxy: true })
    expect(isAtOutboundProxy(error as object)).toBe(true)
  })
})

describe('outboundProxy at setup', () => {
  const proxy = 'http://proxy.example:3128'

  it.each<[string, unknown, Record<string, string>, unknown]>([
    ['off by default: the environment is not read', undefined, { HTTP_PROXY: proxy }, undefined],
    ['false', false, { HTTP_PROXY: proxy }, undefined],
    ['a URL: every call through it', proxy, {}, { http: proxy, https: proxy, noProxy: '' }],
    ['explicit', { https: proxy, noProxy: '.internal' }, {}, { http: undefined, https: proxy, noProxy: '.internal' }],
    [
      "'env': each variable read once",
      'env',
      { HTTP_PROXY: proxy, HTTPS_PROXY: 'http://tls.example:3128', NO_PROXY: 'localhost' },
      { http: proxy, https: 'http://tls.example:3128', noProxy: 'localhost' },
    ],
    [
      "'env': lower-case names first",
      'env',
      { http_proxy: proxy, HTTP_PROXY: 'http://other:1', no_proxy: 'a', NO_PROXY: 'b' },
      { http: proxy, https: undefined, noProxy: 'a' },
    ],
    ["'env': empty values are unset", 'env', { HTTP_PROXY: '', HTTPS_PROXY: '' }, undefined],
    ["'env': nothing set, calls go directly", 'env', {}, undefined],
    // httpoxy (CVE-2016-5385): under CGI, HTTP_PROXY is the client's `Proxy:` request header
    [
      'httpoxy: under CGI (REQUEST_METHOD set) the upper-case HTTP_PROXY is ignored',
      'env',
      { REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://attacker.example:80' },
      undefined,
    ],
    [
      'httpoxy: under CGI the lower-case http_proxy still counts',
      'env',
      { REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://attacker.example:80', http_proxy: proxy },
      { http: proxy, https: undefined, noProxy: '' },
    ],
  ])('%s', (_name, value, env, expected) => {
    expect(resolveOutboundProxy(value, env)).toEqual(expected)
  })

  it.each<[string, unknown, RegExp]>([
    ['not a URL', 'proxy.example:3128', /"outboundProxy" expected an http: or https: proxy URL/],
    ['another scheme', 'socks5://proxy.example:1080', /"outboundProxy" expected an http: or https: proxy URL/],
    ['a path', 'http://proxy.example:3128/x', /"outboundProxy" expected/],
    ['an unknown key', { http: proxy, no_proxy: 'x' }, /"outboundProxy\.no_proxy" expected one of/],
    ['no proxy at all', { noProxy: 'x' }, /"outboundProxy" expected outboundProxy\.http or outboundProxy\.https/],
    ['a number', 3128, /"outboundProxy" expected 'env', a proxy URL/],
    ['a noProxy that is not a string', { http: proxy, noProxy: ['a'] }, /"outboundProxy\.noProxy" expected/],
  ])('%s throws a TypeError naming the option', (_name, value, message) => {
    expect(() => resolveOutboundProxy(value, {})).toThrow(TypeError)
    expect(() => resolveOutboundProxy(value, {})).toThrow(message)
  })

  it("a bad 'env' value names its variable, and no error shows the proxy's credentials", () => {
    expect(() => resolveOutboundProxy('env', { HTTPS_PROXY: 'ftp://corp:s3cret@proxy.example' })).toThrow(
      /"outboundProxy \('env': HTTPS_PROXY\)" expected/,
    )
    for (const [value, env] of [
      ['env', { HTTPS_PROXY: 'ftp://corp:s3cret@proxy.example' }],
      ['http://corp:s3cret@proxy.example/x', {}],
    ] as const) {
      expect(() => resolveOutboundProxy(value, env)).toThrow(/^(?!.*s3cret)/s)
    }
    expect(() => resolveOptions({ target: 'http://127.0.0.1:4000', outboundProxy: 'http://corp:s3cret@p:1' })).toThrow(
      /^(?!.*s3cret).*"outboundProxy" expected guard mode/s,
    )
  })
})
