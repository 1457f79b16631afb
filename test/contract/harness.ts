import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { GatewayClient, GatewayOptions } from '@gateway-middleware/core'
import { expect, onTestFinished } from 'vitest'
import { type FaultUpstream, startFaultUpstream } from '../helpers/faultUpstream.js'

/** A framework app with the gateway mounted, listening on 127.0.0.1. */
export interface GatewayApp {
  readonly server: Server
  readonly port: number
  readonly url: string
  /**
   * Shut the gateway down as the app would: Express and Koa call the middleware's `close(graceMs)`
   * (`graceMs` overrides the `gracePeriod` option); Fastify calls `app.close()`, whose preClose and
   * onClose hooks close the gateway with its `gracePeriod` (Fastify takes no grace argument).
   */
  closeGateway(graceMs?: number): Promise<unknown>
  /** The gateway's health report (Express, Koa: `middleware.health()`; Fastify: `app.gatewayHealth()`). */
  health(options?: { addresses?: boolean }): { readonly status: string; readonly targets: readonly object[] }
  /** Close the server (every connection at once), then the gateway. */
  close(): Promise<void>
}

/**
 * Body parsers before the gateway, each framework's own: Express `express.json()`,
 * `express.urlencoded({ extended: true })` and `express.text()` for `textTypes`; Koa `@koa/bodyparser`
 * (JSON, forms, and text for `textTypes`).
 */
export interface BodyParserSetup {
  /**
   * Keep the original bytes: Express stores them in `req.rawBody` through the parsers' `verify`
   * hook; Koa's parser always keeps `ctx.request.rawBody`, and without this the app deletes it.
   */
  readonly keepRaw: boolean
  /** Media types a text parser reads too (e.g. `multipart/form-data`: a parser that read a multipart body). */
  readonly textTypes?: string[]
  /**
   * The app carries on after a parser rejected the body: Express an error handler that calls `next()`,
   * Koa `@koa/bodyparser`'s `onError`.
   */
  readonly carryOn?: boolean
}

/** What a test may have mounted in front of the gateway. */
export interface AppSetup {
  /**
   * Body parsers before the gateway: `true` for the JSON parser alone (Express: `express.json()`,
   * Koa: `@koa/bodyparser`), or a {@link BodyParserSetup}.
   */
  readonly bodyParser?: boolean | BodyParserSetup
  /**
   * An app middleware before the gateway that answers 401 unless the request's `Authorization` is
   * exactly this (the app's own authentication, which must run for WebSocket handshakes too).
   */
  readonly requireAuthorization?: string
  /** Leave out the server's upgrade hook (Express, Koa: `server.on('upgrade', middleware.upgrade)`). */
  readonly withoutUpgradeHook?: boolean
}

/** How each framework's contract run builds an app: the gateway mounted at `mountPath` (`''` for none). */
export type BuildApp = (mountPath: string, options: GatewayOptions, setup?: AppSetup) => Promise<GatewayApp>

/** Listen on 127.0.0.1, port 0, and return the app handle; `closeGateway` closes the app's gateway(s). */
export async function listen(
  server: Server,
  closeGateway: (graceMs?: number) => Promise<unknown>,
  health: GatewayApp['health'] = () => ({ status: 'pass', targets: [] }),
): Promise<GatewayApp> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  const close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await closeGateway()
  }
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    closeGateway,
    health,
    close() {
      closed ??= close()
      return closed
    },
  }
}

/**
 * What a guarded route may do with its response itself, through its framework's own API: an answer
 * of its own instead of the JSON of what its handler resolved with.
 */
export interface RouteReply {
  /** Set a response header: Express `res.setHeader`, Koa `ctx.set`, Fastify `reply.header`. */
  header(name: string, value: string): void
  /** Send this body: Express `res.send`, Koa `ctx.body =`, Fastify `reply.send`. */
  send(body: string): void
}

/**
 * Run a guarded route's handler, its {@link RouteReply} made of its framework's own `header` and
 * `send`: what it resolved with, and whether it sent an answer itself (then the build sends nothing
 * more; it counts as sent even when the framework's send threw).
 */
export async function runRoute(
  route: GuardRoute,
  client: GatewayClient,
  header: (name: string, value: string) => unknown,
  send: (body: string) => unknown,
): Promise<{ value: unknown; sent: boolean }> {
  let sent = false
  const reply: RouteReply = {
    header(name, value) {
      header(name, value)
    },
    send(body) {
      sent = true
      send(body)
    },
  }
  const value = await route.handler(client, reply)
  return { value, sent }
}

/**
 * A framework-neutral guarded route: what its handler resolves with is sent as JSON (unless it sent
 * an answer through `reply`); what it throws is the framework's to handle.
 */
export interface GuardRoute {
  readonly path: string
  readonly handler: (client: GatewayClient, reply: RouteReply) => Promise<unknown>
}

/** A proxy mounted in the same app as the guarded routes. */
export interface ProxyMount {
  readonly mountPath: string
  readonly options: GatewayOptions
}

/** How each framework builds a guarded app: the guard, the routes after it, and optionally a proxy too. */
export type BuildGuardApp = (options: GatewayOptions, routes: GuardRoute[], proxy?: ProxyMount) => Promise<GatewayApp>

/** A guarded app that the current test closes when it finishes. */
export function guardedApp(
  build: BuildGuardApp,
  options: GatewayOptions,
  routes: GuardRoute[],
  proxy?: ProxyMount,
): Promise<GatewayApp> {
  return gateway((_mount, opts) => build(opts, routes, proxy), '', options)
}

/** A fault upstream that the current test closes when it finishes. */
export async function upstream(options?: Parameters<typeof startFaultUpstream>[0]): Promise<FaultUpstream> {
  const server = await startFaultUpstream(options)
  onTestFinished(() => server.close())
  return server
}

/** A gateway app that the current test closes when it finishes. */
export async function gateway(
  build: BuildApp,
  mountPath: string,
  options: GatewayOptions,
  setup?: AppSetup,
): Promise<GatewayApp> {
  const app = await build(mountPath, options, setup)
  onTestFinished(() => app.close())
  return app
}

/** A response as a real HTTP client saw it. */
export interface SeenResponse {
  status: number
  headers: IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  text: string
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string
  headers?: Record<string, string | string[]>
  body?: string | Buffer
}

/** One request over a fresh connection with node:http (which sends headers as given). */
export function send(url: string, options: SendOptions = {}): Promise<SeenResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body,
          text: body.toString('utf8'),
        })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Assert a response is the gateway's own answer to `code` (by default the HTML page a request
 * without `Accept` gets), with a request id, and that it leaks nothing internal.
 */
export function expectGatewayAnswer(
  res: SeenResponse,
  status: number,
  code: string,
  upstreamPort?: number,
  type = 'text/html',
): void {
  expect(res.status).toBe(status)
  expect(res.headers['proxy-status']).toBe(`gateway-middleware; error=${code}`)
  expect(res.headers['cache-control']).toBe('no-store')
  expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`)
  expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/)
  expectNoLeak(`${JSON.stringify(res.headers)}\n${res.text}`, upstreamPort)
}

/** Nothing internal in a response: no upstream address or port, errno string or stack. */
export function expectNoLeak(text: string, upstreamPort?: number): void {
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|::1/)
  // (a privileged port, as refusedUrl() gives, is too short to look for alone: the address check covers it)
  // as a word of its own: a random request id (`a3128…`) may hold the same digits without leaking anything
  if (upstreamPort !== undefined && upstreamPort >= 1024) {
    expect(text).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${upstreamPort}(?![0-9A-Za-z])`))
  }
  expect(text).not.toMatch(/\bE[A-Z]{4,}\b|UND_ERR|HPE_|\bat .+:\d+:\d+|Error:/)
}
