import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'

/** One request a scripted upstream received, with its whole body. */
export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** A real upstream whose answers a test writes itself. */
export interface ScriptedUpstream {
  readonly url: string
  /** Requests whose bodies arrived, in order. */
  readonly received: ReceivedRequest[]
}

/**
 * Start an upstream on 127.0.0.1 (port 0) that reads each request's body, records it, then answers
 * with `answer`; it is closed when the current test finishes.
 */
export async function scriptedUpstream(
  answer: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<ScriptedUpstream> {
  const received: ReceivedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      answer(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}
