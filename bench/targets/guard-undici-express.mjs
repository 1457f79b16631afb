// The baseline of the guard case: the route of guard-ours-express.mjs calling `undici.request`
// directly, through a dispatcher with our pool's settings (128 connections, 4 s keep-alive).
import express from 'express'
import { Agent, request } from 'undici'
import { serveChild } from '../processes/serveChild.mjs'
import { targetConfig } from '../processes/targetConfig.mjs'

const { upstream } = targetConfig()
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 4_000 })
const app = express()
app.get('/api/small', async (_req, res) => {
  const { statusCode, headers, body } = await request(`${upstream}/small`, { dispatcher })
  res
    .status(statusCode)
    .set('content-type', String(headers['content-type']))
    .send(await body.text())
})
serveChild(app.listen(0, '127.0.0.1'))
