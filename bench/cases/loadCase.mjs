import { countSockets } from '../measure/countSockets.mjs'
import { cpuPercent } from '../measure/cpuPercent.mjs'
import { measureLoad } from '../measure/measureLoad.mjs'
import { median } from '../measure/median.mjs'
import { cpuSnapshot, otherCpuPercent } from '../measure/otherCpu.mjs'

/** How long the proxy's sockets may take to return to their baseline after the failure load, in ms. */
const SOCKET_SETTLE_TIMEOUT_MS = 5_000
/** How often they are counted meanwhile, in ms. */
const SOCKET_POLL_INTERVAL_MS = 50

/**
 * @typedef {object} LoadRun
 * @property {number} rps
 * @property {number} p50
 * @property {number} p99
 * @property {number} errors
 * @property {number} non2xx
 * @property {Record<string, number>} statuses
 * @property {number} cpu CPU use of the target's process during the run, % of one core
 * @property {number} others CPU use of other work on the machine during the run, % of one core
 */

/**
 * @typedef {object} LoadRow
 * @property {import('./targets.mjs').Target} target
 * @property {number} value median responses per second
 * @property {number} spread (max − min) / median of the runs' req/s
 * @property {number} p50 median of the runs' median latency, ms
 * @property {number} p99 median of the runs' 99th percentile latency, ms
 * @property {number} errors socket errors and timeouts, all runs
 * @property {number} non2xx all runs
 * @property {Record<string, number>} statuses responses by status, all runs
 * @property {number} cpu median CPU use of the target's process during a run, % of one core
 * @property {number} cpuPerRequest median CPU time of the target's process per response, µs: less
 *   sensitive than req/s to other work taking CPU away
 * @property {number} others median CPU use of other work on the machine during a run, % of one core
 * @property {number} rss the process's RSS after the runs, bytes
 * @property {{ before: number, after: number, settledMs: number | undefined } | undefined} sockets failure case only
 * @property {number} [xDirect] set by addRatios
 * @property {number} [xPeer] set by addRatios
 * @property {import('./targets.mjs').Target} [peer] set by addRatios
 */

/**
 * The autocannon cases (`load` and `failure`), in the three steps runCase takes each target
 * through. In the failure case the target's open sockets are counted before the load and must
 * return to that count after it.
 *
 * @type {import('./runCase.mjs').CaseKind<{ sockets: number | undefined }, LoadRun, LoadRow>}
 */
export const loadCase = {
  async prepare({ benchCase, target, running, options }) {
    const sockets = benchCase.kind === 'failure' ? countSockets(running.pid) : undefined
    if (options.warmup > 0) {
      await measureLoad(running.origin, requestOf(benchCase, target), {
        connections: options.connections,
        duration: options.warmup,
      })
    }
    return { sockets }
  },

  async run({ benchCase, target, running, options, pids }) {
    const machine = cpuSnapshot(pids)
    const before = await running.stats()
    const result = await measureLoad(running.origin, requestOf(benchCase, target), {
      connections: options.connections,
      duration: options.duration,
    })
    const after = await running.stats()
    const others = otherCpuPercent(machine, cpuSnapshot(pids))
    const cpu = cpuPercent(before, after)
    return {
      run: { ...result, cpu, others },
      summary: `${Math.round(result.rps)} req/s, p99 ${result.p99} ms, CPU ${Math.round(cpu)} %, others ${Math.round(others)} %`,
    }
  },

  async summarize({ target, running, runs, state }) {
    const { rss } = await running.stats()
    const rps = runs.map((run) => run.rps)
    /** @type {Record<string, number>} */
    const statuses = {}
    for (const run of runs) {
      for (const [status, count] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + count
    }
    return {
      target,
      value: median(rps),
      spread: (Math.max(...rps) - Math.min(...rps)) / median(rps),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
      statuses,
      cpu: median(runs.map((run) => run.cpu)),
      cpuPerRequest: median(runs.map((run) => (run.cpu * 10_000) / run.rps)),
      others: median(runs.map((run) => run.others)),
      rss,
      sockets: state.sockets === undefined ? undefined : await settleSockets(running.pid, state.sockets),
    }
  },
}

/**
 * The case's request, under the target's prefix.
 *
 * @param {import('./cases.mjs').Case} benchCase @param {import('./targets.mjs').Target} target
 */
function requestOf(benchCase, target) {
  return { ...benchCase.request, path: target.prefix + benchCase.request.path }
}

/**
 * Count the process's sockets until they are back to `before` or the time is up.
 *
 * @param {number} pid @param {number} before
 * @returns {Promise<{ before: number, after: number, settledMs: number | undefined }>}
 */
async function settleSockets(pid, before) {
  const started = performance.now()
  for (;;) {
    const after = countSockets(pid)
    const elapsed = performance.now() - started
    if (after <= before) return { before, after, settledMs: elapsed }
    if (elapsed > SOCKET_SETTLE_TIMEOUT_MS) return { before, after, settledMs: undefined }
    await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_INTERVAL_MS))
  }
}
