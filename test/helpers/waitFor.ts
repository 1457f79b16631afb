/**
 * Wait until `condition` holds, checking every 10 ms; rejects when it still does not after
 * `timeoutMs` (a ceiling on a wait, never a measurement: the condition normally holds at once).
 */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = performance.now() + timeoutMs
  while (!condition()) {
    if (performance.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
