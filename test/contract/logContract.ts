import { request as httpRequest } from 'node:http'
import type { GatewayLogger } from '@gateway-middleware/core'
import { describe, expect, it } from 'vitest'
import { refusedUrl } from '../helpers/faultUpstream.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

interface Line {
  readonly level: 'error' | 'warn' | 'info' | 'debug'
  readonly record: Record<string, unknown>
  readonly message: string | undefined
}

/** A logger that keeps what it is told. */
function capture(): { logger: GatewayLogger; lines: Line[] } {
  const lines: Line[] = []
  const at =
    (level: Line['level']) =>
    (record: object, message?: string): void => {
      lines.push({ level, record: record as Record<string, unknown>, message })
    }
  return { logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }, lines }
}

/** What a client sends that must never reach a log line. */
const SECRETS = { authorization: 'Bearer t0ps3cr3t', cookie: 'session=c00k1e' }

/** The gateway's log records, through a real framework. */
export function logContract(build: BuildApp): void {
  describe('logs', () => {
    it('a generated 502 is one error record with id, method, path without query, target, kind, phase, attempt, status and timings — never a header value, cookie, credential or query', async () => {
      const target = await refusedUrl()
      const { logger, lines } = capture()
      const app = await gateway(build, '/api', { target, retry: false, logger })
      const res = await send(`${app.url}/api/orders/7?token=qu3rys3cr3t`, {
        headers: { ...SECRETS, 'x-request-id': 'req-7' },
      })
      expect(res.status).toBe(502)
      expect(lines).toHaveLength(1)
      const [line] = lines as [Line]
      expect(line.level).toBe('error')
      expect(line.message).toBe('gateway answered 502 connection_refused')
      expect(line.record).toMatchObject({
        requestId: 'req-7',
        method: 'GET',
        path: '/orders/7',
        target,
        kind: 'connection_refused',
        phase: 'connect',
        attempt: 1,
        status: 502,
      })
      expect(typeof (line.record.timings as { totalMs: unknown }).totalMs).toBe('number')
      const written = JSON.stringify(lines)
      for (const secret of ['t0ps3cr3t', 'c00k1e', 'qu3rys3cr3t', 'token=']) expect(written).not.toContain(secret)
    })

    it('a retry is a warn record before the answer, which (a 200) writes none', async () => {
      const up = await upstream()
      const { logger, lines } = capture()
      const app = await gateway(build, '', { target: up.url, logger })
      const res = await send(`${app.url}/flaky?fail=reset`, { headers: SECRETS })
      expect(res.status).toBe(200)
      expect(lines.map(({ level, message }) => [level, message])).toEqual([
        ['warn', 'retrying after connection_terminated'],
      ])
      expect(lines[0]?.record).toMatchObject({ path: '/flaky', attempt: 1, reason: 'connection_terminated' })
      expect(JSON.stringify(lines)).not.toMatch(/t0ps3cr3t|c00k1e|fail=reset/)
    })

    it("a request shed at the gateway's limit is a warn record saying why (queue_full), before the 503's error record", async () => {
      const up = await upstream()
      const { logger, lines } = capture()
      const app = await gateway(build, '', {
        target: up.url,
        concurrency: 1,
        limits: { queue: 0 },
        retry: false,
        logger,
      })
      const hanging = send(`${app.url}/hang`).catch(() => undefined)
      await waitFor(() => up.hits('/hang') === 1)
      expect((await send(`${app.url}/ok?token=qu3ry`)).status).toBe(503)
      expect(lines.map(({ level, message }) => [level, message])).toEqual([
        ['warn', "request shed at the gateway's limit: queue_full"],
        ['error', 'gateway answered 503 connection_limit_reached'],
      ])
      expect(lines[0]?.record).toMatchObject({
        method: 'GET',
        path: '/ok',
        target: up.url,
        kind: 'connection_limit_reached',
        shed: 'queue_full',
        attempt: 1,
      })
      await app.close()
      await hanging
    })

    it('an ejected target is a warn record', async () => {
      const target = await refusedUrl()
      const { logger, lines } = capture()
      const app = await gateway(build, '', { target, retry: false, circuit: { failures: 1 }, logger })
      await send(`${app.url}/x`)
      expect(lines.map(({ level, message }) => [level, message])).toEqual([
        ['warn', 'target ejected by passive health'],
        ['error', 'gateway answered 502 connection_refused'],
      ])
      expect(lines[0]?.record).toEqual({ target, restMs: 1000 })
    })

    it('a connection cut after the response headers is an error record', async () => {
      const up = await upstream()
      const { logger, lines } = capture()
      const app = await gateway(build, '', { target: up.url, logger })
      await send(`${app.url}/reset-mid-body?length=200000&bytes=70000`).catch(() => undefined)
      await waitFor(() => lines.length > 0)
      expect(lines.map(({ level, message }) => [level, message])).toEqual([
        ['error', 'connection cut after the response headers: http_response_incomplete'],
      ])
      expect(lines[0]?.record).toMatchObject({ path: '/reset-mid-body', cut: true, phase: 'body' })
    })

    it('a client that leaves is one debug record (499), not an error', async () => {
      const up = await upstream()
      const { logger, lines } = capture()
      const app = await gateway(build, '', { target: up.url, logger })
      const req = httpRequest(`${app.url}/hang?secret=1`, { agent: false, headers: SECRETS })
      req.on('error', () => {})
      req.end()
      await waitFor(() => up.hits('/hang') === 1)
      req.destroy()
      await waitFor(() => lines.length === 1)
      expect(lines[0]).toMatchObject({
        level: 'debug',
        message: 'client closed the request',
        record: { method: 'GET', path: '/hang', status: 499 },
      })
    })
  })
}
