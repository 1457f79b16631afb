import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { GatewayError } from '~core/errors/GatewayError.js'
import { createGateway } from '~core/gateway/createGateway.js'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'
import { fromNodeRequest } from '~core/seam/GatewayRequest.js'
import { writeResponse } from '~core/seam/writeResponse.js'
import { send } from '../contract/harness.js'
import { refusedUrl, startFaultUpstream } from '../helpers/faultUpstream.js'

/** node:http in front of the core, with every failure `onError` is told. */
async function proxyApp(target: string) {
  const failures: GatewayError[] = []
  const gateway = createGateway({ target, retry: false, circuit: false, onError: (error) => failures.push(error) })
  const server = createServer((req, res) => {
    const request = fromNodeRequest(req, { url: req.url ?? '/', mountPath: '', signal: clientGoneSignal(res) })
    gateway.proxy(request).then((response) => response && writeResponse(res, response))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await gateway.close(0)
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, failures }
}

describe("the pools' connector", () => {
  it('refused upstream -> 502 connection_refused, its errno error kept as the cause with an unformatted stack', async () => {
    const app = await proxyApp(await refusedUrl())
    const res = await send(`${app.url}/x`)
    expect(res.status).toBe(502)
    expect(app.failures.map((failure) => failure.code)).toEqual(['connection_refused'])
    const cause = app.failures[0]?.cause as NodeJS.ErrnoException
    expect(cause).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1' })
    // Node's own frame (afterConnect) was never formatted: the stack is the error's first line
    expect(cause.stack).toBe(`Error: ${cause.message}`)
  })

  it('connects as undici would: the upstream answers through it, on one kept-alive connection', async () => {
    const up = await startFaultUpstream()
    onTestFinished(() => up.close())
    const app = await proxyApp(up.url)
    for (let i = 0; i < 3; i++) expect((await send(`${app.url}/ok`)).status).toBe(200)
    expect(app.failures).toEqual([])
    expect(up.openSockets()).toBe(1)
  })
})
