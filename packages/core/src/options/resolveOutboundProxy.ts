import { optionError } from '../errors/optionError.js'
import type { OutboundProxyOptions } from './options.js'

/** Guard mode's forward proxy, resolved: a proxy URL per scheme (`undefined`: see below) and the bypass list. */
export interface ResolvedOutboundProxy {
  /** The proxy for `http:` calls; `undefined`: they go directly. */
  readonly http: string | undefined
  /** The proxy for `https:` calls; `undefined`: the `http` one (undici's rule), else directly. */
  readonly https: string | undefined
  /** Hosts reached directly, in `NO_PROXY` syntax (`''`: none). */
  readonly noProxy: string
}

/** The environment `outboundProxy: 'env'` reads. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>

const KEYS = ['http', 'https', 'noProxy'] as const satisfies readonly (keyof OutboundProxyOptions)[]

/**
 * Validate `outboundProxy` once at setup; `undefined` when calls go directly (then the gateway's
 * agent is a plain one, and nothing per call changes). `'env'` reads `env` now, never again:
 * lower-case names first (`http_proxy`, then `HTTP_PROXY`), as curl and undici do; an empty value is
 * unset. Under CGI (`REQUEST_METHOD` set) the upper-case `HTTP_PROXY` is ignored, as Go's
 * `net/http` does: there it is the client's `Proxy:` request header (httpoxy, CVE-2016-5385).
 */
export function resolveOutboundProxy(
  value: unknown,
  env: ProxyEnvironment = process.env,
): ResolvedOutboundProxy | undefined {
  if (value === undefined || value === false) return undefined
  if (value === 'env') {
    const read = (name: string) => {
      const found = env[name]
      return found === undefined || found === '' ? undefined : found
    }
    const cgi = read('REQUEST_METHOD') !== undefined
    const http = read('http_proxy') ?? (cgi ? undefined : read('HTTP_PROXY'))
    const https = read('https_proxy') ?? read('HTTPS_PROXY')
    if (http === undefined && https === undefined) return undefined
    return Object.freeze({
      http: http === undefined ? undefined : proxyUrl(http, "outboundProxy ('env': HTTP_PROXY)"),
      https: https === undefined ? undefined : proxyUrl(https, "outboundProxy ('env': HTTPS_PROXY)"),
      noProxy: read('no_proxy') ?? read('NO_PROXY') ?? '',
    })
  }
  if (typeof value === 'string') {
    const url = proxyUrl(value, 'outboundProxy')
    return Object.freeze({ http: url, https: url, noProxy: '' })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError(
      'outboundProxy',
      "'env', a proxy URL such as 'http://proxy.example:3128', { http, https, noProxy } or false",
      value,
    )
  }
  const input = value as Record<string, unknown>
  for (const key of Object.keys(input)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw optionError(
        `outboundProxy.${key}`,
        'one of outboundProxy.http, outboundProxy.https, outboundProxy.noProxy (unknown option)',
        input[key],
      )
    }
  }
  const url = (entry: unknown, name: string) => {
    if (entry === undefined) return undefined
    if (typeof entry !== 'string') throw optionError(name, "a proxy URL such as 'http://proxy.example:3128'", entry)
    return proxyUrl(entry, name)
  }
  const http = url(input.http, 'outboundProxy.http')
  const https = url(input.https, 'outboundProxy.https')
  if (http === undefined && https === undefined) {
    throw optionError('outboundProxy', 'outboundProxy.http or outboundProxy.https (or false for none)', value)
  }
  if (input.noProxy !== undefined && typeof input.noProxy !== 'string') {
    throw optionError('outboundProxy.noProxy', "a NO_PROXY list such as 'localhost,.internal'", input.noProxy)
  }
  return Object.freeze({ http, https, noProxy: (input.noProxy as string | undefined) ?? '' })
}

/** A proxy URL, checked: `http:` or `https:`, nothing after the authority. The error never shows credentials. */
function proxyUrl(value: string, name: string): string {
  const expected = "an http: or https: proxy URL such as 'http://proxy.example:3128'"
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw optionError(name, expected, 'a value that is not a URL')
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    const shown = url.username === '' && url.password === '' ? value : `${url.protocol}//…@${url.host}${url.pathname}`
    throw optionError(name, expected, shown)
  }
  return value
}
