import { type IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { adoptUpgrade, type ClientUpgrade, clientUpgrade, routeUpgrade } from '@gateway-middleware/core/adapter'
import type { FastifyInstance, FastifyReply } from 'fastify'

const LISTENING = Symbol.for('gateway-middleware.fastify.upgrade')

/**
 * Route the server's upgrade requests through Fastify's router, so the app's hooks (authentication)
 * run for a WebSocket handshake as for any request. Installed once per server, when the app is ready.
 * With `@fastify/websocket` there, which routes every upgrade through Fastify itself (two routers
 * would handle one socket twice), the listener only adopts each request it routed instead (see
 * {@link adoptRoutedUpgrade}).
 */
export function listenForUpgrades(instance: FastifyInstance): void {
  const server = instance.server as Listening
  if (server[LISTENING] !== undefined) return
  const onUpgrade = instance.hasDecorator('websocketServer')
    ? adoptRoutedUpgrade
    : (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
        routeUpgrade((request, response) => instance.routing(request, response), req, socket, head)
  server[LISTENING] = onUpgrade
  server.on('upgrade', onUpgrade)
}

/**
 * After `@fastify/websocket`'s listener (added when it registered, so before this one) routed an
 * upgrade request: the request is adopted (see `adoptUpgrade`), so that when nobody takes its
 * connection, because a hook before the proxy answered it (401, say), the connection closes with that
 * answer, as a plain HTTP answer to an upgrade must. (@fastify/websocket closes it only in a hook of
 * its own, which routes declared before it, or a hook that answers first, keep from running.) Here
 * rather than in an `onResponse` hook of the proxy's routes: such a hook makes Fastify watch the end
 * of every response, WebSocket or not (29 k instructions of a proxied 100-byte GET's 500 k).
 * @fastify/websocket answers through a `ServerResponse` it assigned to the connection, which Node
 * keeps as the socket's `_httpMessage`.
 */
function adoptRoutedUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const response = (socket as Duplex & { _httpMessage?: unknown })._httpMessage
  // (an answer written within the routing has not finished yet: 'finish' waits for the socket's write)
  if (response instanceof ServerResponse && response.req === req) adoptUpgrade(req, response, head)
}

/** Stop routing (or adopting) upgrades: the app is closing, no new WebSocket is taken. */
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
