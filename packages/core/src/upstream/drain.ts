import type { UpstreamResponse } from './UpstreamExchange.js'

/** Read a discarded response to its end, so its connection can be reused. Never rejects. */
export async function drain(response: UpstreamResponse): Promise<void> {
  try {
    for await (const _ of response.body) {
      // discard
    }
  } catch {
    // a broken discarded body only costs its connection
  }
}
