import http from 'node:http'
import { PassThrough } from 'node:stream'
import { createGateway, clientGoneSignal } from '@gateway-middleware/core'
import express from 'express'
import { gatewayMiddleware } from '@gateway-middleware/express'
const body = Buffer.alloc(100, 97)
const up = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }); res.end(body) }).listen(0, '127.0.0.1')
await new Promise(r => up.once('listening', r))
const gw = createGateway({ target: `http://127.0.0.1:${up.address().port}` })
const raw = ['Host', 'x', 'User-Agent', 'bench', 'Accept', '*/*', 'Connection', 'keep-alive']
async function one() {
  const signal = new AbortController().signal
  const r = await gw.proxy({ method: 'GET', url: '/x', mountPath: '', rawHeaders: raw, httpVersion: '1.1', body: new PassThrough(), hasBody: false, remoteAddress: '127.0.0.1', encrypted: false, signal })
  for await (const _ of r.body) {}
}
async function run(n, conc) { let i = 0; await Promise.all(Array.from({ length: conc }, async () => { while (i++ < n) await one() })) }
await run(5000, 50)
const results = []
for (let k = 0; k < 3; k++) { const cpu = process.cpuUsage(); await run(20000, 50); const c = process.cpuUsage(cpu); results.push(((c.user + c.system) / 20000).toFixed(1)) }
console.log('core+upstream cpu µs/req', results.join(' '))
up.closeAllConnections(); up.close(); await gw.close(0)
