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
 * The `'upgrade'` listener's work for a Node server: route an upgrade request through the app's own
 * request handling (`dispatch`: Express and Koa emit the server's `'request'`, Fastify calls
 * `routing`), with a `ServerResponse` on its connection, so the app's middleware before the gateway
 * (authentication above all) runs for the handshake as for any request. A gateway the request
 * reaches takes the connection over; when none does (another path, an `Upgrade` the gateway does not
 * proxy), the app answers as plain HTTP over the connection, which then closes: never a `101`.
 * Several gateways' listeners route a request once.
 */
export function routeUpgrade(
  dispatch: (req: IncomingMessage, res: ServerResponse) => void,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  if ((req as Routed)[UPGRADE] !== undefined) return
  // a client that breaks off must not end the process; whoever holds the socket handles the rest
  socket.on('error', () => socket.destroy())
  const res = new ServerResponse(req)
  res.shouldKeepAlive = false
  res.assignSocket(socket as Socket)
  adoptUpgrade(req, res, head)
  try {
    dispatch(req, res)
  } catch {
    socket.destroy()
  }
}

/**
 * The `'upgrade'` listener of a Node server whose app listens for `'request'` (Express, Koa):
 * `server.on('upgrade', listener)` routes each upgrade request through that app (see {@link routeUpgrade}).
 */
export function upgradeThroughServer(this: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  routeUpgrade((request, response) => this.emit('request', request, response), req, socket, head)
}

/**
 * Mark an upgrade request that something else routed (`@fastify/websocket` does it for every
 * upgrade) as the gateway's to take: its connection is the one `res` was assigned.
 */
export function adoptUpgrade(req: IncomingMessage, res: ServerResponse, head: Buffer): ClientUpgrade {
  const existing = (req as Routed)[UPGRADE]
  if (existing !== undefined) return existing
  const socket = res.socket as Socket
  // answered as plain HTTP (or not at all): the connection ends with the answer
  res.once('finish', () => {
    if (res.socket !== null) socket.destroySoon()
  })
  res.once('close', () => {
    if (res.socket !== null) socket.destroy()
  })
  const upgrade: ClientUpgrade = {
    head,
    take() {
      if (res.socket !== null) res.detachSocket(socket)
      return socket
    },
  }
  ;(req as Routed)[UPGRADE] = upgrade
  return upgrade
}

/** The connection of an upgrade request that {@link routeUpgrade} routed, if it was. */
export function clientUpgrade(req: IncomingMessage): ClientUpgrade | undefined {
  return (req as Routed)[UPGRADE]
}
