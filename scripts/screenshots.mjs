// npm run screenshots: refresh docs/error-502.png and docs/error-504.png from the default pages, as
// headless Chromium shows them through a running gateway. Needs /usr/bin/chromium
// (apt-get install -y chromium) and a build (the npm script runs tsc -b first).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { chromium } from 'playwright-core'
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS } from './chromium.mjs'

/** A fixed request id, so the pictures change only when the page does (and the time). */
const REQUEST_ID = '3f9c2e1a-7b4d-4e8a-9c61-5d2f8b0a7e43'

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`)
  process.exit(1)
}

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
// a port nobody listens on (502), and an upstream that never answers (504)
const probe = await listen(createServer())
const refused = `http://127.0.0.1:${probe.address().port}`
await new Promise((resolve) => probe.close(resolve))
const hanging = await listen(createServer(() => {}))

const down = gatewayMiddleware({ target: refused, retry: false })
const slow = gatewayMiddleware({ target: `http://127.0.0.1:${hanging.address().port}`, timeout: { headers: 300 } })
const app = express()
app.use('/down', down)
app.use('/slow', slow)
const server = await listen(createServer(app))
const base = `http://127.0.0.1:${server.address().port}`

const profile = mkdtempSync(join(tmpdir(), 'gateway-chromium-'))
const docs = new URL('../docs/', import.meta.url)
mkdirSync(docs, { recursive: true })
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: FLAGS,
  viewport: { width: 960, height: 400 },
  extraHTTPHeaders: { 'x-request-id': REQUEST_ID },
})
try {
  for (const [status, path] of [
    [502, '/down/dashboard'],
    [504, '/slow/dashboard'],
  ]) {
    const page = await browser.newPage()
    await page.goto(`${base}${path}`)
    const file = new URL(`error-${status}.png`, docs)
    await page.screenshot({ path: file.pathname, fullPage: true })
    console.log(`wrote docs/error-${status}.png`)
    await page.close()
  }
} finally {
  await browser.close()
  rmSync(profile, { recursive: true, force: true })
  server.closeAllConnections()
  server.close()
  hanging.closeAllConnections()
  hanging.close()
  await Promise.all([down.close(), slow.close()])
}
