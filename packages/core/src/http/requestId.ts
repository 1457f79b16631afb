import { randomUUID } from 'node:crypto'

/** A request id that is safe to echo and to forward: a short token, nothing HTML or header syntax can use. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Whether an incoming `X-Request-Id` value may be kept (else a new one replaces it). */
export function isSafeRequestId(value: string): boolean {
  return SAFE_REQUEST_ID.test(value)
}

/** The request's id: its first `X-Request-Id` when that is a safe token, else a new UUID. */
export function requestId(rawHeaders: readonly string[]): string {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 12 && name.toLowerCase() === 'x-request-id') {
      const value = rawHeaders[i + 1] as string
      if (isSafeRequestId(value)) return value
    }
  }
  return randomUUID()
}
