import { measureDownload } from '../measure/measureDownload.mjs'
import { measureWebSocketStream } from '../measure/measureWebSocketStream.mjs'
import { median } from '../measure/median.mjs'
import { cpuSnapshot, otherCpuPercent } from '../measure/otherCpu.mjs'

/**
 * Size of the unmeasured download before the runs, in bytes: enough to open the upstream
 * connection and run the code paths once, small enough not to raise the RSS the runs start from.
 */
const WARMUP_BYTES = 2 ** 20

/**
 * @typedef {object} StreamRow
 * @property {import('./targets.mjs').Target} target
 * @property {number} value median MiB/s
 * @property {number} spread (max − min) / median of the runs' MiB/s
 * @property {number} rssGrowth largest peak RSS growth of the target's process over the runs, bytes
 * @property {number[]} rssGrowths each run's peak RSS growth, in run order, bytes
 * @property {number} rssBefore its RSS before the first run, bytes
 * @property {string[]} errors what went wrong, per failed run
 * @property {number} others median CPU use of other work on the machine during a run, % of one core
 * @property {number} [xDirect] set by addRatios
 * @property {number} [xPeer] set by addRatios
 * @property {import('./targets.mjs').Target} [peer] set by addRatios
 */

/**
 * The streaming cases, in the three steps runCase takes each target through: a small warm-up
 * download, then one download per run, one at a time: `stream` over HTTP (`streamBytes`),
 * `ws-stream` as binary messages over one WebSocket (`wsStreamBytes`).
 *
 * @type {import('./runCase.mjs').CaseKind<undefined, import('../measure/measureDownload.mjs').DownloadResult & { others: number }, StreamRow>}
 */
export const streamCase = {
  async prepare({ benchCase, target, running, options }) {
    await download(benchCase, target, running, WARMUP_BYTES, options.streamTimeout)
    return undefined
  },

  async run({ benchCase, target, running, options, pids }) {
    const machine = cpuSnapshot(pids)
    const bytes = benchCase.kind === 'ws-stream' ? options.wsStreamBytes : options.streamBytes
    const result = await download(benchCase, target, running, bytes, options.streamTimeout)
    const others = otherCpuPercent(machine, cpuSnapshot(pids))
    const rss = `RSS +${Math.round(result.rssGrowth / 2 ** 20)} MiB`
    return {
      run: { ...result, others },
      summary: `${Math.round(result.mibPerSecond)} MiB/s, ${rss}, others ${Math.round(others)} %${result.error ? `, ${result.error}` : ''}`,
    }
  },

  async summarize({ target, runs }) {
    const rates = runs.map((run) => run.mibPerSecond)
    return {
      target,
      value: median(rates),
      spread: (Math.max(...rates) - Math.min(...rates)) / median(rates),
      rssGrowth: Math.max(...runs.map((run) => run.rssGrowth)),
      rssGrowths: runs.map((run) => run.rssGrowth),
      rssBefore: runs[0]?.rssBefore ?? Number.NaN,
      errors: runs.flatMap((run) => (run.error === undefined ? [] : [run.error])),
      others: median(runs.map((run) => run.others)),
    }
  },
}

/**
 * @param {import('./cases.mjs').Case} benchCase @param {import('./targets.mjs').Target} target
 * @param {import('../processes/startTarget.mjs').Running} running @param {number} bytes @param {number} timeout
 */
function download(benchCase, target, running, bytes, timeout) {
  const path = `${target.prefix}${benchCase.request.path}?bytes=${bytes}`
  const measure = { bytes, pid: running.pid, timeout }
  if (benchCase.kind === 'ws-stream')
    return measureWebSocketStream(`${running.origin.replace(/^http:/, 'ws:')}${path}`, measure)
  return measureDownload(`${running.origin}${path}`, measure)
}
