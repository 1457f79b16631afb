import { type IncomingMessage, type Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/** An upgrade request's connection, handed to the gateway with its request (see {@link routeUpgrade}). */
export interface ClientUpgrade {
  /** The bytes the client sent after its request head (Node's `head`). */
  readonly head: Buffer
  /** Take the connection over: the app's response lets go of it. */
  take(): Duplex
}

/** Where a routed upgrade request carries its connection. */
const UPGRADE = Symbol.for('gateway-middleware.upgrade')

type Routed = IncomingMessage & { [UPGRADE]?: ClientUpgrade }

/**
 * The `'upgrade'` listener of a Node server (Express, Koa): route an upgrade request through the
 * app's own request listener, with a `ServerResponse` on its connection, so the app's middleware
 * before the gateway (authentication above all) runs for the handshake as for any request. A gateway
 * middleware the request reaches takes the connection over; when none does (another path, an
 * `Upgrade` the gateway does not proxy), the app answers as plain HTTP over the connection, which is
 * then closed: never a `101`. Several gateways' listeners route a request once.
 */
export function routeUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const routed = req as Routed
  if (routed[UPGRADE] !== undefined) return
  // a client that breaks off must not end the process; whoever holds the socket handles the rest
  socket.on('error', () => socket.destroy())
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  let taken = false
  routed[UPGRADE] = {
    head,
    take() {
      taken = true
      res.detachSocket(socket as Socket)
      return socket
    },
  }
  // answered as plain HTTP (or not at all): the connection ends with the answer
  res.once('finish', () => {
    if (!taken) (socket as Socket).destroySoon()
  })
  res.once('close', () => {
    if (!taken) socket.destroy()
  })
  if (server.listenerCount('request') === 0) socket.destroy()
  else server.emit('request', req, res)
}

/** The connection of an upgrade request that {@link routeUpgrade} routed, if it was. */
export function clientUpgrade(req: IncomingMessage): ClientUpgrade | undefined {
  return (req as Routed)[UPGRADE]
}
