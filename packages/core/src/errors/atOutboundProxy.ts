/**
 * Marks errors raised while connecting to the outbound proxy (guard mode's `outboundProxy`), so that
 * `classify` can tell a proxy that refuses from a target that refuses: through a forward proxy the
 * gateway connects to nobody else, and the errno error alone looks the same. A symbol from the global
 * registry, so two copies of the package read each other's marks.
 */
const AT_OUTBOUND_PROXY = Symbol.for('gateway-middleware.atOutboundProxy')

/** Mark `error` as raised connecting to the outbound proxy; returns it. */
export function markAtOutboundProxy<T>(error: T): T {
  if (typeof error === 'object' && error !== null) {
    Object.defineProperty(error, AT_OUTBOUND_PROXY, { value: true, configurable: true })
  }
  return error
}

/** Whether `error` was marked by {@link markAtOutboundProxy}. */
export function isAtOutboundProxy(error: object): boolean {
  return (error as Record<symbol, unknown>)[AT_OUTBOUND_PROXY] === true
}

/** How undici reports a proxy that answered the CONNECT with another status than 200. */
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/
/** How undici reports a proxy that answered an absolute-form request with 407. */
const AUTHENTICATION_REQUIRED = 'Proxy Authentication Required (407)'

/**
 * The status an outbound proxy refused to carry a call with, or `undefined` for any other error:
 * undici's `RequestAbortedError` for a `CONNECT` answered with anything but 200, and its
 * `InvalidArgumentError` for an absolute-form request answered with 407 (any other answer to one is
 * the route's, as an upstream's own status is).
 */
export function proxyRefusedStatus(error: object): number | undefined {
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof message !== 'string') return undefined
  if (code === 'UND_ERR_INVALID_ARG') return message === AUTHENTICATION_REQUIRED ? 407 : undefined
  if (code !== 'UND_ERR_ABORTED') return undefined
  const match = TUNNEL_REFUSED.exec(message)
  return match === null ? undefined : Number(match[1])
}
