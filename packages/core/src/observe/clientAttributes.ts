import { requestMethod } from './requestMethod.js'

/** The attributes every upstream call's metrics and span carry. */
export interface ClientAttributes {
  'http.request.method'?: string
  'server.address'?: string
  'server.port'?: number
  [name: string]: string | number | boolean | undefined
}

/**
 * The HTTP client semantic conventions' attributes of an upstream call: `http.request.method`
 * (`_OTHER` for a method they do not know, so a client cannot make up series), `server.address` and
 * `server.port` from the target's origin (WHATWG spells it without a default port; `''`, no target:
 * neither). Bounded: never a path, query, id or header value. A new object each time, so a caller
 * may add to it. Without `method`, the server's attributes alone.
 */
export function clientAttributes(method: string | undefined, origin: string): ClientAttributes {
  const attributes: ClientAttributes = {}
  if (method !== undefined) attributes['http.request.method'] = requestMethod(method)
  const hostAt = origin.indexOf('://') + 3
  if (hostAt === 2) return attributes
  // an IPv6 literal is in brackets, whose colons are not the port's
  const portAt = origin.indexOf(':', origin.startsWith('[', hostAt) ? origin.indexOf(']', hostAt) : hostAt)
  if (portAt === -1) {
    attributes['server.address'] = origin.slice(hostAt)
    attributes['server.port'] = origin.startsWith('https') ? 443 : 80
  } else {
    attributes['server.address'] = origin.slice(hostAt, portAt)
    attributes['server.port'] = Number(origin.slice(portAt + 1))
  }
  return attributes
}
