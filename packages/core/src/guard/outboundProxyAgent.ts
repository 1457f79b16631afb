import { type Agent, type buildConnector, type Dispatcher, EnvHttpProxyAgent, Pool } from 'undici'
import { markAtOutboundProxy } from '../errors/atOutboundProxy.js'
import type { ResolvedOutboundProxy } from '../options/resolveOutboundProxy.js'

/**
 * Guard mode's agent behind a forward proxy: undici's `EnvHttpProxyAgent`, given what was read at
 * setup (`''` where a proxy is unset, so undici never reads the environment itself).
 *
 * - `https:` calls are tunnelled with `CONNECT`, the gateway's TLS settings (`tls.ca`, client
 *   certificate, `servername`) applying to the target inside the tunnel. `http:` calls through an
 *   `http:` proxy go in absolute form (`GET http://host/path`), as curl sends them: Squid-derived
 *   proxies allow `CONNECT` to port 443 only by default.
 * - Request headers given as a flat list reach undici's proxy agent as a record of lists: it turns a
 *   list into a record itself, keeping only the last of repeated fields.
 * - Errors connecting to the proxy itself are marked (`markAtOutboundProxy`) where the gateway
 *   connects to it: through a proxy the gateway connects to nobody else, yet the errno error alone
 *   looks like a refusing target's.
 */
export function outboundProxyAgent(
  proxy: ResolvedOutboundProxy,
  agent: Agent.Options,
  tls: buildConnector.BuildOptions,
  connectTimeout: number,
): Dispatcher {
  const proxies = new Set([proxy.http, proxy.https].flatMap((url) => (url === undefined ? [] : [new URL(url).href])))
  return new ProxyAgentKeepingFields({
    ...agent,
    httpProxy: proxy.http ?? '',
    httpsProxy: proxy.https ?? '',
    noProxy: proxy.noProxy,
    proxyTunnel: false,
    requestTls: tls,
    proxyTls: { timeout: connectTimeout },
    // the client for CONNECT tunnels
    clientFactory: (origin, options) => toProxy(origin, options),
    // the client for absolute-form requests to the proxy (its URL), and undici's for everything else
    factory: (origin, options) => (proxies.has(String(origin)) ? toProxy(origin, options) : new Pool(origin, options)),
  })
}

/** A pool to the proxy whose connect errors are marked as the proxy's. */
function toProxy(origin: string | URL, options: object): Pool {
  const { connect, ...rest } = options as Pool.Options & { connect: buildConnector.connector }
  return new Pool(origin, {
    ...rest,
    connect: (at, callback) =>
      connect(at, (...result) => {
        if (result[0] === null) callback(...result)
        else callback(markAtOutboundProxy(result[0]), null)
      }),
  })
}

/** undici's proxy agent, given flat header lists as records (repeated fields as lists), so none is lost. */
class ProxyAgentKeepingFields extends EnvHttpProxyAgent {
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const { headers } = options
    if (!Array.isArray(headers)) return super.dispatch(options, handler)
    const record: Record<string, string | string[]> = {}
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = String(headers[i]).toLowerCase()
      const value = String(headers[i + 1])
      const existing = record[name]
      record[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]
    }
    return super.dispatch({ ...options, headers: record }, handler)
  }
}
