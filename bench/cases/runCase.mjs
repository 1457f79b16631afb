import { startTarget } from '../processes/startTarget.mjs'
import { addRatios } from '../report/addRatios.mjs'
import { loadCase } from './loadCase.mjs'
import { overloadCase } from './overloadCase.mjs'
import { streamCase } from './streamCase.mjs'
import { webSocketCase } from './webSocketCase.mjs'

/** How each kind of case measures its targets. @type {Record<import('./cases.mjs').Case['kind'], CaseKind<any, any, any>>} */
const KINDS = {
  load: loadCase,
  failure: loadCase,
  stream: streamCase,
  'ws-stream': streamCase,
  ws: webSocketCase,
  overload: overloadCase,
}

/**
 * @template State, Run, Row
 * @typedef {object} CaseKind how one kind of case measures a target
 * @property {(step: Step) => Promise<State>} prepare before its first run: baseline, warm-up
 * @property {(step: Step & { state: State }) => Promise<{ run: Run, summary: string }>} run one measured run
 * @property {(step: Step & { state: State, runs: Run[] }) => Promise<Row>} summarize after the last run
 */

/**
 * @typedef {object} Step
 * @property {import('./cases.mjs').Case} benchCase
 * @property {import('./targets.mjs').Target} target
 * @property {import('../processes/startTarget.mjs').Running} running
 * @property {import('./parseBenchOptions.mjs').BenchOptions} options
 * @property {number[]} pids the benchmark's own processes during a run: load generator, upstream, target
 * @property {string} upstream origin of the upstream (the overload case asks it for its queue)
 */

/**
 * One case on its targets. Each target gets a process of its own, started for this case and
 * stopped after it; the load goes to one target at a time, in rounds (run 1 of every target, then
 * run 2, …), so a burst of other work on a shared machine spoils one run of several targets, which
 * the median drops, rather than every run of one target.
 *
 * @param {import('./cases.mjs').Case} benchCase
 * @param {import('./targets.mjs').Target[]} caseTargets
 * @param {import('../processes/startTarget.mjs').TargetContext} context
 * @param {import('./parseBenchOptions.mjs').BenchOptions} options
 * @param {(target: import('./targets.mjs').Target, message: string) => void} progress
 * @returns {Promise<import('../report/checkTargets.mjs').CaseResult>} rows with ratios
 */
export async function runCase(benchCase, caseTargets, context, options, progress) {
  const kind = KINDS[benchCase.kind]
  /** @type {Array<Step & { state: unknown, runs: unknown[] }>} */
  const entries = []
  try {
    for (const target of caseTargets) {
      const running = await startTarget(target, benchCase, context)
      const pids = [process.pid, context.upstream.pid, running.pid]
      entries.push({
        benchCase,
        target,
        running,
        options,
        pids,
        upstream: context.upstream.origin,
        state: undefined,
        runs: [],
      })
    }
    const runs = benchCase.runs ?? options.runs
    for (let round = 1; round <= runs; round++) {
      for (const entry of entries) {
        if (round === 1) entry.state = await kind.prepare(entry)
        const { run, summary } = await kind.run(entry)
        entry.runs.push(run)
        progress(entry.target, `run ${round}/${runs}: ${summary}`)
      }
    }
    const rows = []
    for (const entry of entries) rows.push(await kind.summarize(entry))
    return { benchCase, rows: addRatios(rows) }
  } finally {
    for (const entry of entries) await entry.running.stop()
  }
}
