import { Agent, request } from 'node:http'

/** Sockets the generator's agent may open at once: enough that no arrival waits for one. */
const MAX_SOCKETS = 8192

/**
 * @typedef {object} OpenLoopOutcome
 * @property {number} at when the request was due, ms after the start of the load
 * @property {number} latency due → response complete (or error), ms: a late send counts against the target
 * @property {number} [status] the response's status, when one came
 * @property {string} [error] the error's code or message, when none came (`timeout`: the client's own)
 */

/**
 * @typedef {object} OpenLoopResult
 * @property {number} duration ms of arrivals
 * @property {number} sent requests sent
 * @property {number} maxLag ms, the most a send came after it was due (the generator's own delay)
 * @property {OpenLoopOutcome[]} outcomes one per request, in the order they finished
 */

/**
 * Open-loop load: `rate` GET requests per second to `origin + path` for `duration` seconds, each sent
 * when it is due whatever the others do (a new request never waits for an earlier one: every
 * request may have a keep-alive socket of its own), each given up after `timeout` ms. Resolves once
 * every request has an answer, an error or has timed out. Latency counts from when the request was
 * due, so a generator running late does not hide the target's slowness.
 *
 * @param {string} origin
 * @param {string} path
 * @param {{ rate: number, duration: number, timeout: number }} load duration in s, timeout in ms
 * @returns {Promise<OpenLoopResult>}
 */
export async function measureOpenLoop(origin, path, { rate, duration, timeout }) {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS })
  const { hostname, port } = new URL(origin)
  const total = Math.round(rate * duration)
  const interval = 1000 / rate
  /** @type {OpenLoopOutcome[]} */
  const outcomes = []
  /** @type {Promise<void>[]} */
  const pending = []
  let sent = 0
  let maxLag = 0
  const start = performance.now()
  const send = (/** @type {number} */ at) =>
    new Promise((resolve) => {
      let done = false
      /** @param {{ status?: number, error?: string }} end */
      const finish = (end) => {
        if (done) return
        done = true
        outcomes.push({ at, latency: performance.now() - start - at, ...end })
        resolve(undefined)
      }
      const req = request({ agent, hostname, port, path, method: 'GET', timeout }, (res) => {
        res.on('data', () => {})
        res.on('end', () => finish({ status: res.statusCode }))
        res.on('error', (error) => finish({ error: errorName(error) }))
      })
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })))
      req.on('error', (error) => finish({ error: errorName(error) }))
      req.end()
    })
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now() - start
      while (sent < total && sent * interval <= now) {
        const at = sent * interval
        maxLag = Math.max(maxLag, now - at)
        pending.push(send(at))
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(interval, sent * interval - now)))
      else resolve(undefined)
    }
    tick()
  })
  await Promise.all(pending)
  agent.destroy()
  return { duration: duration * 1000, sent, maxLag, outcomes }
}

/** @param {Error & { code?: string }} error @returns {string} */
function errorName(error) {
  return error.code ?? error.message
}
