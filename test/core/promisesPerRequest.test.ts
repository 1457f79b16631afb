import { createHook } from 'node:async_hooks'
import { Agent, createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createGateway } from '~core/gateway/createGateway.js'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'
import { writeResponse } from '~core/seam/writeResponse.js'

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)))
}

/** `count` GETs one after another, by callbacks alone (the client makes no promise per request). */
function getInTurn(port: number, agent: Agent, count: number, done: () => void): void {
  if (count === 0) {
    done()
    return
  }
  request({ host: '127.0.0.1', port, path: '/small', agent }, (res) => {
    res.resume()
    res.on('end', () => getInTurn(port, agent, count - 1, done))
  }).end()
}

describe('promises per proxied request', () => {
  // each promise costs by itself, and once the OpenTelemetry SDK's context manager is on, its promise
  // hooks run for each: a plain GET went through 11 of the gateway's (async functions and their awaits)
  it('a plain GET answered whole makes at most 5 promises in the gateway (11 before)', async () => {
    const up = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
    const upstream = `http://127.0.0.1:${await listen(up)}`
    const gateway = createGateway({ target: upstream })
    const app = createServer((req, res) => {
      const proxied = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: clientGoneSignal(res) })
      // one promise of the handler's own (the `then`)
      gateway.proxy(proxied).then((response) => response && writeResponse(res, response))
    })
    const port = await listen(app)
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    onTestFinished(async () => {
      agent.destroy()
      app.closeAllConnections()
      up.closeAllConnections()
      await new Promise((resolve) => app.close(resolve))
      await new Promise((resolve) => up.close(resolve))
      await gateway.close(0)
    })
    const requests = 200
    // warm up: the pool's connection is made, and whatever is made once
    await new Promise<void>((resolve) => getInTurn(port, agent, 20, resolve))
    let promises = 0
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++
      },
    })
    hook.enable()
    await new Promise<void>((resolve) => getInTurn(port, agent, requests, resolve))
    hook.disable()
    // the test's own few (the awaited promise above and its await), spread over the requests
    const perRequest = Math.floor(promises / requests)
    expect(perRequest - 1).toBeLessThanOrEqual(5)
  })
})
