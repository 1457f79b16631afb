import { createServer, type ServerResponse } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { expect, it, onTestFinished } from 'vitest'
import { clientGoneSignal } from '~core/seam/clientGoneSignal.js'

/** A server whose handler gets each response; the test closes it when it finishes. */
async function serve(handler: (res: ServerResponse) => void): Promise<number> {
  const server = createServer((_req, res) => handler(res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as AddressInfo).port
}

/** Send a GET over a raw socket; `leave`: destroy the socket once the request is out. */
function get(port: number, leave: boolean): void {
  const socket = connect(port, '127.0.0.1', () => {
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    if (leave) setTimeout(() => socket.destroy(), 20)
  })
  socket.on('error', () => {})
  socket.resume()
  onTestFinished(() => {
    socket.destroy()
  })
}

it('a client that left while earlier middleware ran: the signal is aborted when made', async () => {
  const aborted = await new Promise<boolean>((resolve) => {
    void serve((res) => res.on('close', () => resolve(clientGoneSignal(res).aborted))).then((port) => get(port, true))
  })
  expect(aborted).toBe(true)
})

it('a client still there: the signal aborts when it leaves, and the response is only read through fields (no closed getter: every read on Express res misses the inline cache)', async () => {
  let closedReads = 0
  const aborted = await new Promise<boolean>((resolve) => {
    void serve((res) => {
      Object.defineProperty(res, 'closed', {
        configurable: true,
        get() {
          closedReads++
          return false
        },
      })
      const signal = clientGoneSignal(res)
      const early = signal.aborted
      signal.addEventListener('abort', () => resolve(!early && signal.aborted))
    }).then((port) => get(port, true))
  })
  expect(aborted).toBe(true)
  expect(closedReads).toBe(0)
})
