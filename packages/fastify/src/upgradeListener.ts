import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { adoptUpgrade, type ClientUpgrade, clientUpgrade, routeUpgrade } from '@gateway-middleware/core/adapter'
import type { FastifyInstance, FastifyReply } from 'fastify'

const LISTENING = Symbol.for('gateway-middleware.fastify.upgrade')

/**
 * Route the server's upgrade requests through Fastify's router, so the app's hooks (authentication)
 * run for a WebSocket handshake as for any request. Installed once per server, when the app is ready
 * and only if `@fastify/websocket` is not there: it routes every upgrade through Fastify itself, and
 * two listeners would handle one socket twice.
 */
export function listenForUpgrades(instance: FastifyInstance): void {
  if (instance.hasDecorator('websocketServer')) return
  const server = instance.server as Listening
  if (server[LISTENING] !== undefined) return
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    routeUpgrade((request, response) => instance.routing(request, response), req, socket, head)
  server[LISTENING] = onUpgrade
  server.on('upgrade', onUpgrade)
}

/** Stop routing upgrades (the app is closing): no new WebSocket is taken. */
export function stopListeningForUpgrades(instance: FastifyInstance): void {
  const server = instance.server as Listening
  const onUpgrade = server[LISTENING]
  if (onUpgrade === undefined) return
  server.removeListener('upgrade', onUpgrade)
  delete server[LISTENING]
}

type Listening = FastifyInstance['server'] & {
  [LISTENING]?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
}

/**
 * The connection of an upgrade request that reached the proxy's routes: routed by the plugin's own
 * listener, or by `@fastify/websocket` (which keeps the socket and its head under symbols of its
 * own, and would answer the handshake itself in the route handler: so the proxy takes it earlier,
 * in its `onRequest` hook).
 */
export function upgradeOf(raw: IncomingMessage, reply: FastifyReply): ClientUpgrade | undefined {
  const ours = clientUpgrade(raw)
  if (ours !== undefined) return ours
  const theirs = routedByFastifyWebsocket(raw)
  if (theirs === undefined) return undefined
  return adoptUpgrade(raw, reply.raw, theirs.head)
}

/**
 * After the answer: an upgrade request that @fastify/websocket routed and that nobody took (a hook
 * before the proxy answered it, 401 say) has its connection closed, as a plain HTTP answer to an
 * upgrade must. (@fastify/websocket closes it only when its own `onRequest` hook ran first.)
 */
export function closeUntaken(raw: IncomingMessage, reply: FastifyReply): void {
  const theirs = routedByFastifyWebsocket(raw)
  if (theirs !== undefined && reply.raw.socket !== null && !theirs.socket.destroyed) theirs.socket.destroySoon()
}

/** The socket and head @fastify/websocket keeps on a request it routed (under symbols of its own). */
function routedByFastifyWebsocket(raw: IncomingMessage): { socket: Socket; head: Buffer } | undefined {
  let socket: unknown
  let head: unknown
  for (const symbol of Object.getOwnPropertySymbols(raw)) {
    if (symbol.description === 'ws-socket') socket = (raw as unknown as Record<symbol, unknown>)[symbol]
    else if (symbol.description === 'ws-head') head = (raw as unknown as Record<symbol, unknown>)[symbol]
  }
  if (socket === undefined) return undefined
  return { socket: socket as Socket, head: Buffer.isBuffer(head) ? head : Buffer.alloc(0) }
}
