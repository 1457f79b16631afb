import type { Socket } from 'node:net'
import { buildConnector } from 'undici'

/**
 * The connect function of a target's pool: undici's own connector (`buildConnector`: TLS verified,
 * ALPN offering HTTP/2 when allowed, its TLS session cache and connect-timeout backstop), with one
 * cost less for a connection that fails.
 *
 * Node builds the errno error of a failed connect (`connect ECONNREFUSED 127.0.0.1:4000`) with a
 * captured stack, and formats that stack when it destroys the socket with it (`destroy()` reads
 * `error.stack`), although its only frame is Node's own `afterConnect`. Set from the socket's
 * `connectionAttemptFailed` event (Node ≥ 20.12: emitted with the error just before the destroy),
 * the stack is the error's first line alone, and nothing is formatted. The error keeps its code,
 * errno, syscall, address and port, so classification and `cause` are unchanged.
 */
export function upstreamConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options)
  return (at, callback) => {
    // undici's connector returns the socket it made (its type says `void`)
    const socket = connect(at, callback) as unknown as Socket | undefined
    socket?.on('connectionAttemptFailed', withoutFrames)
  }
}

/** `connectionAttemptFailed`'s listener: the error's stack without the frame nobody needs. */
function withoutFrames(_address: string, _port: number, _family: number, error: Error): void {
  error.stack = `${error.name}: ${error.message}`
}
