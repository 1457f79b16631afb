import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors/GatewayError.js'

/**
 * Close upstream connections gracefully: in-flight requests may finish (undici's `close()` waits for
 * them, response bodies included) for up to `graceMs`; what is still running then is aborted
 * (`destroy()`), which answers it 503 before its headers, or cuts it after. Nothing is left open.
 */
export async function closeGracefully(dispatchers: readonly Dispatcher[], graceMs: number): Promise<void> {
  const closed = Promise.all(dispatchers.map((dispatcher) => dispatcher.close())).then(() => true)
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, graceMs, false)
  })
  const finished = await Promise.race([closed, expired])
  clearTimeout(timer)
  if (finished) return
  const reason = new GatewayError('destination_unavailable')
  await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy(reason)))
}
