import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, it, onTestFinished } from 'vitest'
import { fromNodeRequest, type GatewayRequest } from '~core/seam/GatewayRequest.js'
import { rawRequest } from '../helpers/rawRequest.js'

interface Seen {
  request: GatewayRequest
  /** How often `req.headers` was read while the request was built. */
  headerReads: number
}

/** The core's request as `fromNodeRequest` builds it from a real request, sent as `head` over a socket. */
async function seen(head: string): Promise<Seen> {
  let result: Seen | undefined
  const server = createServer((req, res) => {
    const { reads } = countHeaderReads(req)
    const request = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: new AbortController().signal })
    result = { request, headerReads: reads() }
    req.resume()
    req.on('end', () => res.end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  await rawRequest((server.address() as AddressInfo).port, head)
  if (result === undefined) throw new Error('the server saw no request')
  return result
}

/** Counts reads of `req.headers`, which Node builds from the raw lines on first read. */
function countHeaderReads(req: IncomingMessage): { reads: () => number } {
  let count = 0
  const original = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(req), 'headers')
  Object.defineProperty(req, 'headers', {
    configurable: true,
    get() {
      count++
      return original?.get?.call(req)
    },
  })
  return { reads: () => count }
}

const host = 'Host: x\r\nConnection: close\r\n'

it.each([
  ['no length, no transfer coding', `GET / HTTP/1.1\r\n${host}\r\n`, false],
  ['Content-Length: 0', `POST / HTTP/1.1\r\n${host}Content-Length: 0\r\n\r\n`, false],
  ['Content-Length: 3', `POST / HTTP/1.1\r\n${host}Content-Length: 3\r\n\r\nabc`, true],
  ['CONTENT-LENGTH: 3 (any case)', `POST / HTTP/1.1\r\n${host}CONTENT-LENGTH: 3\r\n\r\nabc`, true],
  [
    'Transfer-Encoding: chunked',
    `POST / HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    true,
  ],
  [
    'transfer-encoding: chunked (lower case)',
    `POST / HTTP/1.1\r\n${host}transfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
    true,
  ],
])('hasBody from the raw header lines: %s', async (_name, head, hasBody) => {
  expect((await seen(head)).request.hasBody).toBe(hasBody)
})

it('building the request leaves req.headers unbuilt (Node makes it on first read; Express gives req a fresh map each request)', async () => {
  const { request, headerReads } = await seen(`POST / HTTP/1.1\r\n${host}Content-Length: 3\r\n\r\nabc`)
  expect(request.hasBody).toBe(true)
  expect(headerReads).toBe(0)
})

/** Counts reads of the symbol where `routeUpgrade` leaves a routed upgrade's connection on `req`. */
function countUpgradeReads(req: IncomingMessage): { reads: () => number } {
  let count = 0
  Object.defineProperty(req, Symbol.for('gateway-middleware.upgrade'), {
    configurable: true,
    get() {
      count++
      return undefined
    },
  })
  return { reads: () => count }
}

it.each([
  ['a request without an Upgrade field', `GET / HTTP/1.1\r\n${host}\r\n`, 0],
  ['a request with one (any case)', `GET / HTTP/1.1\r\n${host}UPGRADE: websocket\r\n\r\n`, 1],
])(
  'a routed upgrade is looked up on req only for an upgrade request (on Express a field req lacks is the dearest read): %s',
  async (_name, head, expected) => {
    let reads: (() => number) | undefined
    const server = createServer((req, res) => {
      reads = countUpgradeReads(req).reads
      fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: new AbortController().signal })
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    await rawRequest((server.address() as AddressInfo).port, head)
    expect(reads?.()).toBe(expected)
  },
)
