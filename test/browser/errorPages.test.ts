import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, CHROMIUM_INSTALL as INSTALL } from '../../scripts/chromium.mjs'
import { type GatewayApp, listen } from '../contract/harness.js'
import { type FaultUpstream, refusedUrl, startFaultUpstream } from '../helpers/faultUpstream.js'

const available = existsSync(CHROMIUM)
if (!available) console.warn(`test/browser/errorPages.test.ts skipped: ${CHROMIUM} is missing (install it: ${INSTALL})`)

// Skips only on a machine without Debian's chromium: .ci/run installs it, so CI always runs this file.
describe.skipIf(!available)('error pages in a real browser (Chromium)', () => {
  const profile = mkdtempSync(join(tmpdir(), 'gateway-chromium-'))
  const screenshots = mkdtempSync(join(tmpdir(), 'gateway-screenshots-'))
  let browser: BrowserContext
  let app: GatewayApp
  let hanging: FaultUpstream

  beforeAll(async () => {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1000, height: 900 },
    })
    hanging = await startFaultUpstream()
    const down = gatewayMiddleware({ target: await refusedUrl(), retry: false })
    const slow = gatewayMiddleware({ target: hanging.url, timeout: { headers: 300 } })
    const server = express()
    server.use('/down', down)
    server.use('/slow', slow)
    app = await listen(createServer(server), async () => {
      await Promise.all([down.close(), slow.close(), hanging.close()])
    })
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    rmSync(profile, { recursive: true, force: true })
    console.info(`error page screenshots: ${screenshots}`)
  })

  async function open(path: string, expected: { status: number; heading: string }) {
    const page = await browser.newPage()
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const response = await page.goto(`${app.url}${path}`)
    expect(response?.status()).toBe(expected.status)
    const id = response?.headers()['x-request-id'] as string
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await expect.poll(() => page.getByRole('heading', { level: 1, name: expected.heading }).isVisible()).toBe(true)
    await expect.poll(() => page.getByText(id, { exact: true }).isVisible()).toBe(true)
    await expect.poll(() => page.getByRole('main').isVisible()).toBe(true)
    // the page is self-contained: the document itself is its only request
    expect(requests).toEqual([`${app.url}${path}`])
    return page
  }

  it('the 502 page: heading, request id, no other request; readable on a phone and in dark mode', async () => {
    const page = await open('/down/dashboard', { status: 502, heading: 'Bad Gateway' })
    await page.screenshot({ path: join(screenshots, 'error-502.png'), fullPage: true })
    await page.setViewportSize({ width: 360, height: 740 })
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await page.screenshot({ path: join(screenshots, 'error-502-phone.png'), fullPage: true })
    const light = await page.evaluate('getComputedStyle(document.body).backgroundColor')
    await page.emulateMedia({ colorScheme: 'dark' })
    const dark = await page.evaluate('getComputedStyle(document.body).backgroundColor')
    expect(dark).not.toBe(light)
    await page.screenshot({ path: join(screenshots, 'error-502-dark.png'), fullPage: true })
    await page.close()
  })

  it('the 504 page: heading, request id, no other request', async () => {
    const page = await open('/slow/hang', { status: 504, heading: 'Gateway Timeout' })
    await page.screenshot({ path: join(screenshots, 'error-504.png'), fullPage: true })
    await page.close()
  })
})
