import { cpuPercent } from '../measure/cpuPercent.mjs'
import { measureWebSocketLoad } from '../measure/measureWebSocketLoad.mjs'
import { median } from '../measure/median.mjs'
import { cpuSnapshot, otherCpuPercent } from '../measure/otherCpu.mjs'

/**
 * @typedef {object} WebSocketRun
 * @property {number} rps round trips per second, all clients
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} errors
 * @property {number} cpu CPU use of the target's process during the run, % of one core
 * @property {number} others CPU use of other work on the machine during the run, % of one core
 */

/**
 * @typedef {object} WebSocketRow
 * @property {import('./targets.mjs').Target} target
 * @property {number} value median round trips per second
 * @property {number} spread (max − min) / median of the runs' round trips/s
 * @property {number} p50 median of the runs' median round-trip latency, ms
 * @property {number} p99 median of the runs' 99th percentile round-trip latency, ms
 * @property {number} errors all runs (see measureWebSocketLoad)
 * @property {number} cpu median CPU use of the target's process during a run, % of one core
 * @property {number} cpuPerRoundTrip median CPU time of the target's process per round trip, µs
 * @property {number} others median CPU use of other work on the machine during a run, % of one core
 * @property {number} rss the process's RSS after the runs, bytes
 * @property {number} [xDirect] set by addRatios
 * @property {number} [xPeer] set by addRatios
 * @property {import('./targets.mjs').Target} [peer] set by addRatios
 */

/**
 * The WebSocket ping-pong case (`ws`), in the three steps runCase takes each target through: a
 * warm-up, then per run `wsConnections` clients each sending the case's message over its own
 * WebSocket and waiting for the echo, again and again. The target's CPU is read over the measured
 * window only (not the handshakes and closes around it).
 *
 * @type {import('./runCase.mjs').CaseKind<undefined, WebSocketRun, WebSocketRow>}
 */
export const webSocketCase = {
  async prepare({ benchCase, target, running, options }) {
    if (options.warmup > 0) {
      await measureWebSocketLoad(urlOf(benchCase, target, running), {
        connections: options.wsConnections,
        duration: options.warmup,
        message: messageOf(benchCase),
      })
    }
    return undefined
  },

  async run({ benchCase, target, running, options, pids }) {
    /** @type {Array<{ cpu: NodeJS.CpuUsage, at: number }>} */
    const stats = []
    /** @type {import('../measure/otherCpu.mjs').CpuSnapshot[]} */
    const machine = []
    const result = await measureWebSocketLoad(
      urlOf(benchCase, target, running),
      { connections: options.wsConnections, duration: options.duration, message: messageOf(benchCase) },
      async (phase) => {
        if (phase === 'end') machine.push(cpuSnapshot(pids))
        stats.push(await running.stats())
        if (phase === 'start') machine.push(cpuSnapshot(pids))
      },
    )
    const cpu = cpuPercent(stats[0], stats[1])
    const others = otherCpuPercent(machine[0], machine[1])
    const errors = result.errors > 0 ? `, ${result.errors} errors` : ''
    return {
      run: { ...result, cpu, others },
      summary: `${Math.round(result.rps)} round trips/s, p99 ${result.p99.toFixed(2)} ms, CPU ${Math.round(cpu)} %, others ${Math.round(others)} %${errors}`,
    }
  },

  async summarize({ target, running, runs }) {
    const { rss } = await running.stats()
    const rps = runs.map((run) => run.rps)
    return {
      target,
      value: median(rps),
      spread: (Math.max(...rps) - Math.min(...rps)) / median(rps),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      cpu: median(runs.map((run) => run.cpu)),
      cpuPerRoundTrip: median(runs.map((run) => (run.cpu * 10_000) / run.rps)),
      others: median(runs.map((run) => run.others)),
      rss,
    }
  },
}

/**
 * The case's WebSocket URL on the target, under its prefix.
 *
 * @param {import('./cases.mjs').Case} benchCase @param {import('./targets.mjs').Target} target
 * @param {import('../processes/startTarget.mjs').Running} running
 */
function urlOf(benchCase, target, running) {
  return `${running.origin.replace(/^http:/, 'ws:')}${target.prefix}${benchCase.request.path}`
}

/** @param {import('./cases.mjs').Case} benchCase @returns {Buffer} */
function messageOf(benchCase) {
  const { message } = benchCase
  if (message === undefined) throw new TypeError(`bench: case ${benchCase.name} expected a message, got none`)
  return message
}
