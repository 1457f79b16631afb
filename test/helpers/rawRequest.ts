/**
 * A tiny real HTTP/1.1 client over node:net, for what higher-level clients hide: the exact bytes on the
 * wire, and whether the connection ended with a FIN, an RST or not at all.
 */
import { connect } from 'node:net'

/** Every byte received, and how the connection ended. */
export interface RawExchange {
  raw: Buffer
  /** 'end': the peer closed cleanly (FIN); 'reset': RST (or EPIPE); 'timeout': still open after timeoutMs */
  closedBy: 'end' | 'reset' | 'timeout'
}

export interface RawRequestOptions {
  /** give up (and destroy the socket) after this many ms; default 5000 */
  timeoutMs?: number
  /**
   * once `after` settles, write `request` on the same connection: what the server sends in between
   * stands between the two answers (send the first request keep-alive, the second `Connection: close`)
   */
  followUp?: { after: PromiseLike<unknown>; request: string | Buffer }
}

/**
 * Connects to 127.0.0.1:`port`, writes `request` verbatim and collects bytes until the connection ends.
 * A string is sent as latin1 (one byte per character); pass a Buffer for arbitrary bytes. The server
 * must close the connection for this to end before the timeout: send `Connection: close`.
 * Rejects only if the connection cannot be established (e.g. ECONNREFUSED) or fails in another way.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  { timeoutMs = 5_000, followUp }: RawRequestOptions = {},
): Promise<RawExchange> {
  const bytes = typeof request === 'string' ? latin1Bytes(request) : request
  const next = typeof followUp?.request === 'string' ? latin1Bytes(followUp.request) : followUp?.request
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let closedBy: RawExchange['closedBy'] | undefined
    let failure: Error | undefined
    let connected = false

    const socket = connect({ port, host: '127.0.0.1' }, () => {
      connected = true
      socket.write(bytes)
      if (followUp !== undefined && next !== undefined) {
        const writeNext = () => {
          if (!socket.destroyed) socket.write(next)
        }
        followUp.after.then(writeNext, writeNext)
      }
    })
    const timer = setTimeout(() => {
      closedBy ??= 'timeout'
      socket.destroy()
    }, timeoutMs)

    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => {
      closedBy ??= 'end'
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connected && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) closedBy ??= 'reset'
      else failure ??= error
    })
    socket.on('close', () => {
      clearTimeout(timer)
      if (closedBy) resolve({ raw: Buffer.concat(chunks), closedBy })
      else reject(failure ?? new Error('connection closed without end, reset or timeout'))
    })
  })
}

/** A response read back from raw bytes. */
export interface ParsedRawResponse {
  status: number
  /** lower-cased names; repeated fields become arrays */
  headers: Record<string, string | string[]>
  /** the body as decoded from its framing (de-chunked), as far as it arrived */
  body: Buffer
  /**
   * true only if the body matched its framing: all content-length bytes arrived, the chunked body ended
   * with its 0-chunk and trailer section, or the status has no body (1xx, 204, 304). A close-delimited
   * body (neither content-length nor chunked) cannot be proven complete, so it is false.
   */
  complete: boolean
}

/**
 * Parses the final response in `raw` (interim 1xx responses other than 101 are skipped).
 * Throws if there is no complete, well-formed response head: a truncated head is never a response.
 */
export function parseRawResponse(raw: Buffer): ParsedRawResponse {
  return parseResponseAt(raw, 0).response
}

/**
 * Parses every response in `raw`, one after the other on the connection (interim 1xx skipped); a
 * response without framing (close-delimited) runs to the end. Throws as {@link parseRawResponse}.
 */
export function parseRawResponses(raw: Buffer): ParsedRawResponse[] {
  const responses: ParsedRawResponse[] = []
  let offset = 0
  while (offset < raw.length) {
    const { response, end } = parseResponseAt(raw, offset)
    responses.push(response)
    offset = end
  }
  return responses
}

/** The final response whose head starts at or after `offset`, and where its bytes end. */
function parseResponseAt(raw: Buffer, start: number): { response: ParsedRawResponse; end: number } {
  let offset = start
  for (;;) {
    const headEnd = raw.indexOf('\r\n\r\n', offset, 'latin1')
    if (headEnd === -1) {
      throw new Error(`no complete response head in ${raw.length} bytes: ${preview(raw.subarray(offset))}`)
    }
    const [statusLine = '', ...fieldLines] = raw.subarray(offset, headEnd).toString('latin1').split('\r\n')
    const match = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(statusLine)
    if (!match) throw new Error(`malformed status line: ${JSON.stringify(statusLine)}`)
    const status = Number(match[1])
    const headers = parseFields(fieldLines)
    const rest = raw.subarray(headEnd + 4)
    if (status >= 100 && status < 200 && status !== 101) {
      offset = headEnd + 4
      continue
    }
    const { body, complete, length } = readBody(status, headers, rest)
    return { response: { status, headers, body, complete }, end: headEnd + 4 + length }
  }
}

function parseFields(lines: string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const previous = headers[name]
    if (previous === undefined) headers[name] = value
    else if (Array.isArray(previous)) previous.push(value)
    else headers[name] = [previous, value]
  }
  return headers
}

/** The body as far as it arrived, whether it is complete, and how many bytes of `rest` it took. */
function readBody(
  status: number,
  headers: Record<string, string | string[]>,
  rest: Buffer,
): { body: Buffer; complete: boolean; length: number } {
  if (status < 200 || status === 204 || status === 304) return { body: Buffer.alloc(0), complete: true, length: 0 }
  const transferEncoding = [headers['transfer-encoding'] ?? []].flat().join(',').toLowerCase()
  if (transferEncoding.split(',').at(-1)?.trim() === 'chunked') return decodeChunked(rest)
  const contentLength = headers['content-length']
  if (contentLength !== undefined) {
    if (typeof contentLength !== 'string' || !/^\d+$/.test(contentLength)) {
      throw new Error(`invalid content-length: ${JSON.stringify(contentLength)}`)
    }
    const length = Number(contentLength)
    const body = rest.subarray(0, length)
    return { body, complete: rest.length >= length, length: body.length }
  }
  return { body: rest, complete: false, length: rest.length }
}

/** De-chunks as much as arrived; complete only once the 0-chunk and the trailer section's end were seen. */
function decodeChunked(data: Buffer): { body: Buffer; complete: boolean; length: number } {
  const parts: Buffer[] = []
  let pos = 0
  // an incomplete chunked body runs to the end of what arrived
  const result = (complete: boolean) => ({
    body: Buffer.concat(parts),
    complete,
    length: complete ? pos : data.length,
  })
  for (;;) {
    const lineEnd = data.indexOf('\r\n', pos, 'latin1')
    if (lineEnd === -1) return result(false)
    const sizeText = data.subarray(pos, lineEnd).toString('latin1').split(';')[0]?.trim() ?? ''
    if (!/^[0-9a-f]+$/i.test(sizeText)) return result(false)
    const size = Number.parseInt(sizeText, 16)
    pos = lineEnd + 2
    if (size === 0) {
      // trailer fields until an empty line
      for (;;) {
        const fieldEnd = data.indexOf('\r\n', pos, 'latin1')
        if (fieldEnd === -1) return result(false)
        if (fieldEnd === pos) {
          pos += 2
          return result(true)
        }
        pos = fieldEnd + 2
      }
    }
    const chunk = data.subarray(pos, pos + size)
    parts.push(chunk)
    if (chunk.length < size) return result(false)
    pos += size
    if (data.toString('latin1', pos, pos + 2) !== '\r\n') return result(false)
    pos += 2
  }
}

function latin1Bytes(text: string): Buffer {
  if ([...text].some((char) => char.charCodeAt(0) > 0xff))
    throw new Error('raw request strings must be latin1; pass a Buffer instead')
  return Buffer.from(text, 'latin1')
}

function preview(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 200).toString('latin1'))
}
