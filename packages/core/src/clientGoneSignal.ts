import type { ServerResponse } from 'node:http'

/**
 * An `AbortSignal` that aborts when the client connection closes before the response finished:
 * the moment the gateway must abort the upstream request.
 */
export function clientGoneSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  // the client may have left while earlier middleware ran: then 'close' has already fired
  if (res.closed && !res.writableFinished) {
    controller.abort()
    return controller.signal
  }
  res.once('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  return controller.signal
}
