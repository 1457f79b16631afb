import type { ServerResponse } from 'node:http'

/**
 * After the gateway answered a request itself (its deadline passed), whatever the route writes later
 * is discarded instead of throwing "headers already sent" or appending to the answer.
 */
export function discardLaterWrites(res: ServerResponse): void {
  const ignored = res as unknown as Record<string, unknown>
  ignored.setHeader = () => res
  ignored.appendHeader = () => res
  ignored.removeHeader = () => undefined
  ignored.writeHead = () => res
  ignored.write = () => true
  ignored.end = () => res
}
