import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { fixture } from '../helpers/tls.js'
import { type BuildApp, expectGatewayAnswer, gateway, send, upstream } from './harness.js'

/** TLS to the upstream: verified by default, configurable, and its failures are 502s. */
export function tlsContract(build: BuildApp): void {
  describe('TLS upstreams', () => {
    it('self-signed upstream certificate -> 502 tls_certificate_error (verified by default)', async () => {
      const up = await upstream({ tls: { key: fixture('self-signed-key.pem'), cert: fixture('self-signed.pem') } })
      const app = await gateway(build, '', { target: up.url })
      expectGatewayAnswer(await send(`${app.url}/ok`), 502, 'tls_certificate_error', up.port)
      expect(up.hits('/ok')).toBe(0)
    })

    it('upstream certificate signed by tls.ca -> the upstream answer', async () => {
      const up = await upstream({ tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') } })
      const app = await gateway(build, '', { target: up.url, tls: { ca: fixture('ca.pem') } })
      const res = await send(`${app.url}/ok`)
      expect(res.status).toBe(200)
      expect(res.text).toBe('ok')
    })

    it('certificate for another name than tls.servername -> 502 tls_certificate_error', async () => {
      const up = await upstream({ tls: { key: fixture('server-key.pem'), cert: fixture('server.pem') } })
      const app = await gateway(build, '', {
        target: up.url,
        tls: { ca: fixture('ca.pem'), servername: 'other.example' },
      })
      expectGatewayAnswer(await send(`${app.url}/ok`), 502, 'tls_certificate_error', up.port)
    })

    it('client certificate for an upstream that requires mutual TLS', async () => {
      const tls = {
        key: fixture('server-key.pem'),
        cert: fixture('server.pem'),
        ca: fixture('ca.pem'),
        requestCert: true,
      }
      const up = await upstream({ tls })
      const withCert = await gateway(build, '', {
        target: up.url,
        tls: { ca: fixture('ca.pem'), cert: fixture('client.pem'), key: fixture('client-key.pem') },
      })
      expect((await send(`${withCert.url}/ok`)).status).toBe(200)
      const without = await gateway(build, '', { target: up.url, tls: { ca: fixture('ca.pem') } })
      const res = await send(`${without.url}/ok`)
      expect(res.status).toBe(502)
      expect(res.headers['proxy-status']).toMatch(
        /error=(tls_protocol_error|tls_certificate_error|connection_terminated)$/,
      )
    })

    it('https target that speaks plain HTTP -> 502 tls_protocol_error', async () => {
      const plain = createServer((_req, res) => res.end('plain'))
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
      const port = (plain.address() as { port: number }).port
      try {
        const app = await gateway(build, '', { target: `https://127.0.0.1:${port}` })
        expectGatewayAnswer(await send(`${app.url}/ok`), 502, 'tls_protocol_error', port)
      } finally {
        plain.closeAllConnections()
        plain.close()
      }
    })
  })
}
