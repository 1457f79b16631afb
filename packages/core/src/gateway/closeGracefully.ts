import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors/GatewayError.js'
import type { Tunnels } from '../upgrade/Tunnels.js'

/** What `close()` did. */
export interface CloseReport {
  /** Upgraded connections (WebSocket) still open when the grace period ended, and ended then. */
  readonly tunnelsEnded: number
}

/**
 * Close upstream connections gracefully: in-flight requests may finish (undici's `close()` waits for
 * them, response bodies included) and upgraded connections may end on their own for up to `graceMs`;
 * what is still running then is aborted (`destroy()`), which answers it 503 before its headers, or
 * cuts it after. Nothing is left open.
 */
export async function closeGracefully(
  dispatchers: readonly Dispatcher[],
  tunnels: Tunnels,
  graceMs: number,
): Promise<CloseReport> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, graceMs, false)
  })
  const closed = Promise.all(dispatchers.map((dispatcher) => dispatcher.close())).then(() => true)
  const finished = await Promise.race([closed, expired])
  if (!finished) {
    const reason = new GatewayError('destination_unavailable')
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy(reason)))
  }
  if (tunnels.size > 0) await Promise.race([tunnels.whenEmpty(), expired])
  clearTimeout(timer)
  return { tunnelsEnded: tunnels.endAll() }
}
