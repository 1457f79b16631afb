import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { parseRawResponse, rawRequest } from '../helpers/rawRequest.js'
import { waitFor } from '../helpers/waitFor.js'
import { type BuildApp, gateway, send, upstream } from './harness.js'

/** Send a request head, then its body one byte every `intervalMs`; resolve with every byte the gateway sent back. */
function slowUpload(port: number, head: string, body: string, intervalMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(head)
      let sent = 0
      const timer = setInterval(() => {
        if (sent >= body.length || socket.destroyed) return clearInterval(timer)
        socket.write(body[sent++] as string)
      }, intervalMs)
      socket.once('close', () => clearInterval(timer))
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => {})
    socket.on('close', () => resolve(Buffer.concat(chunks)))
    setTimeout(() => {
      socket.destroy()
      reject(new Error('no answer in time'))
    }, 10_000).unref()
  })
}

/** Limits on what clients send, and never blaming the upstream for the client's time. */
export function limitsContract(build: BuildApp): void {
  describe('client limits', () => {
    it('a declared Content-Length over limits.body -> 413 before the upstream is contacted', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, limits: { body: 1000 } })
      const res = await send(`${app.url}/echo`, { method: 'POST', body: 'x'.repeat(1001) })
      expect(res.status).toBe(413)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_request_error')
      expect(up.hits('/echo')).toBe(0)
    })

    it('a body within limits.body passes', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, limits: { body: 1000 } })
      const res = await send(`${app.url}/echo`, { method: 'POST', body: 'x'.repeat(1000) })
      expect(res.status).toBe(200)
    })

    it('a chunked body crossing limits.body mid-stream -> the upstream request is aborted and the client gets 413', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, limits: { body: 100_000 }, retry: false })
      const chunk = 'y'.repeat(50_000)
      const body = Array.from({ length: 4 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('')
      const { raw } = await rawRequest(
        app.port,
        `POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`,
      )
      const res = parseRawResponse(raw)
      expect(res.status).toBe(413)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_request_error')
      await up.waitForAborted(1, 2000)
    })

    it('a short body (declared within 16 KiB) is read whole before the upstream is contacted: a slow client holds no upstream connection', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const answer = slowUpload(
        app.port,
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\nConnection: close\r\n\r\n',
        'abcdefghijklmnopqrst',
        40,
      )
      // halfway through the upload (20 bytes, one every 40 ms): nothing reached the upstream yet
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(up.requests).toHaveLength(0)
      const res = parseRawResponse(await answer)
      expect(res.status).toBe(200)
      expect(up.requests).toHaveLength(1)
      expect(up.requests[0]?.bodyLength).toBe(20)
    })

    it('a body declared over 16 KiB streams: the upstream has the request before the client sent all of it', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const socket = connect({ port: app.port, host: '127.0.0.1' })
      const answer = new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = []
        socket.on('data', (chunk: Buffer) => chunks.push(chunk))
        socket.on('end', () => resolve(Buffer.concat(chunks)))
      })
      await new Promise((resolve) => socket.once('connect', resolve))
      const length = 16 * 1024 + 1
      socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`)
      socket.write('x'.repeat(100))
      // read whole, it would reach the upstream only once all of it came: this waits for it to start
      await waitFor(() => up.requests.length === 1, 5000)
      socket.write('x'.repeat(length - 100))
      const res = parseRawResponse(await answer)
      expect(res.status).toBe(200)
      expect(up.requests[0]?.bodyLength).toBe(length)
    })

    it('a client that leaves while its short body is read -> the upstream is never contacted and the gateway keeps serving', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url })
      const socket = connect({ port: app.port, host: '127.0.0.1' })
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhalf of it')
      await new Promise((resolve) => setTimeout(resolve, 100))
      socket.destroy()
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(up.requests).toHaveLength(0)
      const res = await send(`${app.url}/echo`, { method: 'POST', body: 'x'.repeat(1000) })
      expect(res.status).toBe(200)
      expect(up.requests).toHaveLength(1)
    })

    it('a client that sends its body too slowly -> 408 at the deadline, never a 504 blaming the upstream', async () => {
      const up = await upstream()
      const app = await gateway(build, '', { target: up.url, timeout: { total: 500 } })
      const raw = await slowUpload(
        app.port,
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n',
        'abcdefghijklmnopqrst',
        200,
      )
      const res = parseRawResponse(raw)
      expect(res.status).toBe(408)
      expect(res.headers['proxy-status']).toBe('gateway-middleware; error=http_request_error')
    })
  })
}
