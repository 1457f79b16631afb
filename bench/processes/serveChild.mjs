/**
 * The child side of a benchmark process (the upstream or one proxy): once `server` listens, tell
 * the parent its port over IPC, answer its `stats` questions (CPU time and RSS of this process
 * alone) and exit on `stop` or when the parent goes away. Exiting through `process.exit()` lets
 * `--cpu-prof` write its profile.
 *
 * @param {import('node:net').Server} server a server listening, or about to listen, on 127.0.0.1
 */
export function serveChild(server) {
  const announce = () =>
    process.send?.({ type: 'ready', port: /** @type {import('node:net').AddressInfo} */ (server.address()).port })
  if (server.listening) announce()
  else server.once('listening', announce)
  process.on('message', (message) => {
    if (message?.type === 'stats') {
      process.send?.({ type: 'stats', id: message.id, cpu: process.cpuUsage(), rss: process.memoryUsage.rss() })
    } else if (message?.type === 'stop') {
      process.exit(0)
    }
  })
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.on('SIGINT', () => process.exit(0))
}
