import { cpuPercent } from '../measure/cpuPercent.mjs'
import { measureOpenLoop } from '../measure/measureOpenLoop.mjs'
import { median } from '../measure/median.mjs'
import { cpuSnapshot, otherCpuPercent } from '../measure/otherCpu.mjs'

/** Longest wait for the upstream's /work queue to empty after a run, in ms. */
const DRAIN_TIMEOUT_MS = 60_000
/** How often the queue is asked meanwhile, in ms. */
const DRAIN_POLL_INTERVAL_MS = 100
/** The warm-up's arrival rate, as a share of the upstream's capacity: load it can serve. */
const WARMUP_SHARE = 0.5

/**
 * @typedef {object} OverloadRun
 * @property {number} goodput 2xx answered within the deadline, per second of arrivals
 * @property {number[]} series good answers per second in each bucket of completion time
 * @property {number} p50 of the good answers, ms
 * @property {number} p99 of the good answers, ms
 * @property {number} late 2xx answered after the deadline
 * @property {Record<string, number>} statuses every answer by status
 * @property {Record<string, number>} errors requests without an answer, by error
 * @property {number} sent
 * @property {number} maxLag ms, the generator's own delay at worst
 * @property {number} drainMs how long the upstream took to work off its queue after the run
 * @property {number} cpu CPU use of the target's process during the run, % of one core
 * @property {number} others CPU use of other work on the machine during the run, % of one core
 */

/**
 * @typedef {OverloadRun & { target: import('./targets.mjs').Target, value: number, share: number, xDirect?: number, xPeer?: number, peer?: import('./targets.mjs').Target }} OverloadRow
 *   the median run by goodput; `value` is its goodput (for the ratios), `share` that over the
 *   upstream's capacity
 */

/**
 * The overload case: open-loop arrivals at a fixed rate above the upstream's capacity (its /work
 * path, see upstream.mjs), each request given up by the client after a few seconds; only 2xx within
 * the deadline count as goodput. Before the next run (or target) the upstream works off what is
 * still queued, so one target's backlog does not fall on the next.
 *
 * @type {import('./runCase.mjs').CaseKind<undefined, OverloadRun, OverloadRow>}
 */
export const overloadCase = {
  async prepare({ benchCase, target, running, options, upstream }) {
    const spec = specOf(benchCase)
    if (options.warmup > 0) {
      await measureOpenLoop(running.origin, target.prefix + benchCase.request.path, {
        rate: Math.min(options.overloadRate, spec.capacity * WARMUP_SHARE),
        duration: options.warmup,
        timeout: spec.clientTimeout,
      })
      await drainUpstream(upstream)
    }
    return undefined
  },

  async run({ benchCase, target, running, options, pids, upstream }) {
    const spec = specOf(benchCase)
    const machine = cpuSnapshot(pids)
    const before = await running.stats()
    const result = await measureOpenLoop(running.origin, target.prefix + benchCase.request.path, {
      rate: options.overloadRate,
      duration: options.overloadDuration,
      timeout: spec.clientTimeout,
    })
    const after = await running.stats()
    const others = otherCpuPercent(machine, cpuSnapshot(pids))
    const cpu = cpuPercent(before, after)
    const drainMs = await drainUpstream(upstream)
    const good = result.outcomes.filter((o) => isGood(o, spec))
    const latencies = good.map((o) => o.latency).sort((a, b) => a - b)
    /** @type {Record<string, number>} */
    const statuses = {}
    /** @type {Record<string, number>} */
    const errors = {}
    let late = 0
    const buckets = Math.ceil((result.duration + spec.clientTimeout) / spec.bucketMs)
    const series = new Array(buckets).fill(0)
    for (const outcome of result.outcomes) {
      if (outcome.status === undefined) {
        const name = outcome.error ?? 'unknown'
        errors[name] = (errors[name] ?? 0) + 1
        continue
      }
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1
      if (isGood(outcome, spec)) {
        const bucket = Math.min(buckets - 1, Math.floor((outcome.at + outcome.latency) / spec.bucketMs))
        series[bucket] += 1000 / spec.bucketMs
      } else if (outcome.status >= 200 && outcome.status < 300) late++
    }
    const goodput = good.length / (result.duration / 1000)
    const run = {
      goodput,
      series,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      late,
      statuses,
      errors,
      sent: result.sent,
      maxLag: result.maxLag,
      drainMs,
      cpu,
      others,
    }
    const failed = Object.values(errors).reduce((sum, n) => sum + n, 0)
    return {
      run,
      summary:
        `goodput ${Math.round(goodput)}/s (${((goodput / spec.capacity) * 100).toFixed(0)} % of capacity), ` +
        `good p99 ${Math.round(run.p99)} ms, late ${late}, statuses ${JSON.stringify(statuses)}, errors ${failed}, ` +
        `upstream drained in ${Math.round(drainMs)} ms`,
    }
  },

  async summarize({ benchCase, target, runs }) {
    const spec = specOf(benchCase)
    const middle = median(runs.map((r) => r.goodput))
    const run = runs.reduce((best, r) => (Math.abs(r.goodput - middle) < Math.abs(best.goodput - middle) ? r : best))
    return { ...run, target, value: run.goodput, share: run.goodput / spec.capacity }
  },
}

/**
 * @param {import('./cases.mjs').Case} benchCase
 * @returns {import('./cases.mjs').OverloadSpec}
 */
function specOf(benchCase) {
  if (benchCase.overload === undefined) throw new TypeError(`bench: case ${benchCase.name} has no overload settings`)
  return benchCase.overload
}

/**
 * @param {import('../measure/measureOpenLoop.mjs').OpenLoopOutcome} outcome
 * @param {import('./cases.mjs').OverloadSpec} spec
 */
function isGood(outcome, spec) {
  return (
    outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300 && outcome.latency <= spec.deadline
  )
}

/** @param {number[]} sorted ascending @param {number} q in [0, 1] @returns {number} NaN when empty */
function percentile(sorted, q) {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

/**
 * Wait until the upstream's /work has nothing working or waiting.
 *
 * @param {string} upstream origin
 * @returns {Promise<number>} ms it took
 */
async function drainUpstream(upstream) {
  const started = performance.now()
  for (;;) {
    const response = await fetch(`${upstream}/work/queue`)
    const { working, waiting } = await response.json()
    const elapsed = performance.now() - started
    if (working === 0 && waiting === 0) return elapsed
    if (elapsed > DRAIN_TIMEOUT_MS)
      throw new Error(`bench: the upstream's /work queue did not empty in ${DRAIN_TIMEOUT_MS} ms`)
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_INTERVAL_MS))
  }
}
