import { parseArgs } from 'node:util'
import { cases } from './cases.mjs'
import { targets } from './targets.mjs'

/** Seconds of measured load per run. */
export const DEFAULT_DURATION_S = 4
/** Runs per target and case; the tables show their median. */
export const DEFAULT_RUNS = 3
/** Concurrent autocannon connections, the same for every target. */
export const DEFAULT_CONNECTIONS = 50
/** Seconds of unmeasured load before the runs of each target and case. */
export const DEFAULT_WARMUP_S = 1
/** Size of the streaming case's download, in MiB. */
export const DEFAULT_STREAM_MIB = 1024
/** WebSocket clients of the ws case, each with one WebSocket. */
export const DEFAULT_WS_CONNECTIONS = 32
/** Size of the ws-stream case's stream, in MiB. */
export const DEFAULT_WS_STREAM_MIB = 1024
/** Arrivals per second of the overload case: twice the capacity of the upstream's /work. */
export const DEFAULT_OVERLOAD_RATE = 640
/** Seconds of arrivals in the overload case (one run per target). */
export const DEFAULT_OVERLOAD_DURATION_S = 8
/** Longest one download may take, in seconds. */
export const DEFAULT_STREAM_TIMEOUT_S = 120

/**
 * @typedef {object} BenchOptions
 * @property {number} duration seconds
 * @property {number} runs
 * @property {number} connections
 * @property {number} warmup seconds
 * @property {number} streamBytes
 * @property {number} wsConnections
 * @property {number} wsStreamBytes
 * @property {number} overloadRate requests per second, open loop
 * @property {number} overloadDuration seconds of arrivals
 * @property {number} streamTimeout ms, of one download or WebSocket stream
 * @property {readonly import('./cases.mjs').Case[]} cases the cases to run, in order
 * @property {ReadonlySet<string>} targets ids of the targets to run (each case runs the ones it lists)
 * @property {boolean} write write bench/results/<date>.md and latest.md
 * @property {boolean} cpuProf run the proxies with --cpu-prof, profiles into bench/results/profiles/
 */

const USAGE = `usage: node bench/run.mjs [options]
  --duration <s>        measured seconds per run            (BENCH_DURATION, default ${DEFAULT_DURATION_S})
  --runs <n>            runs per target and case, median    (BENCH_RUNS, default ${DEFAULT_RUNS})
  --connections <n>     autocannon connections              (BENCH_CONNECTIONS, default ${DEFAULT_CONNECTIONS})
  --warmup <s>          unmeasured seconds before the runs  (BENCH_WARMUP, default ${DEFAULT_WARMUP_S})
  --stream-mib <n>      size of the streamed download, MiB  (BENCH_STREAM_MIB, default ${DEFAULT_STREAM_MIB})
  --ws-connections <n>  WebSocket clients of the ws case    (BENCH_WS_CONNECTIONS, default ${DEFAULT_WS_CONNECTIONS})
  --ws-stream-mib <n>   size of the WebSocket stream, MiB   (BENCH_WS_STREAM_MIB, default ${DEFAULT_WS_STREAM_MIB})
  --overload-rate <n>   arrivals/s of the overload case     (BENCH_OVERLOAD_RATE, default ${DEFAULT_OVERLOAD_RATE})
  --overload-duration <s> seconds of arrivals, overload     (BENCH_OVERLOAD_DURATION, default ${DEFAULT_OVERLOAD_DURATION_S})
  --only <cases>        comma-separated: ${cases.map((c) => c.name).join(',')}
  --targets <ids>       comma-separated: ${targets.map((t) => t.id).join(',')}
  --no-write            print only, write nothing to bench/results/
  --cpu-prof            profile each proxy process (node --cpu-prof) into bench/results/profiles/
  --help`

/**
 * Resolve the command line (and BENCH_* environment variables, which flags override) once:
 * defaults filled, numbers and names checked, the result frozen.
 *
 * @param {string[]} argv arguments after the script
 * @param {NodeJS.ProcessEnv} env
 * @returns {BenchOptions | undefined} undefined after printing the usage for --help
 */
export function parseBenchOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      runs: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      'stream-mib': { type: 'string' },
      'ws-connections': { type: 'string' },
      'ws-stream-mib': { type: 'string' },
      'overload-rate': { type: 'string' },
      'overload-duration': { type: 'string' },
      only: { type: 'string' },
      targets: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return undefined
  }
  const only = names(
    '--only',
    values.only ?? env.BENCH_ONLY,
    cases.map((c) => c.name),
  )
  const targetIds = names(
    '--targets',
    values.targets ?? env.BENCH_TARGETS,
    targets.map((t) => t.id),
  )
  return Object.freeze({
    duration: number('--duration', values.duration ?? env.BENCH_DURATION, DEFAULT_DURATION_S, 1),
    runs: number('--runs', values.runs ?? env.BENCH_RUNS, DEFAULT_RUNS, 1),
    connections: number('--connections', values.connections ?? env.BENCH_CONNECTIONS, DEFAULT_CONNECTIONS, 1),
    warmup: number('--warmup', values.warmup ?? env.BENCH_WARMUP, DEFAULT_WARMUP_S, 0),
    streamBytes: number('--stream-mib', values['stream-mib'] ?? env.BENCH_STREAM_MIB, DEFAULT_STREAM_MIB, 1) * 2 ** 20,
    wsConnections: number(
      '--ws-connections',
      values['ws-connections'] ?? env.BENCH_WS_CONNECTIONS,
      DEFAULT_WS_CONNECTIONS,
      1,
    ),
    wsStreamBytes:
      number('--ws-stream-mib', values['ws-stream-mib'] ?? env.BENCH_WS_STREAM_MIB, DEFAULT_WS_STREAM_MIB, 1) * 2 ** 20,
    overloadRate: number(
      '--overload-rate',
      values['overload-rate'] ?? env.BENCH_OVERLOAD_RATE,
      DEFAULT_OVERLOAD_RATE,
      1,
    ),
    overloadDuration: number(
      '--overload-duration',
      values['overload-duration'] ?? env.BENCH_OVERLOAD_DURATION,
      DEFAULT_OVERLOAD_DURATION_S,
      1,
    ),
    streamTimeout: DEFAULT_STREAM_TIMEOUT_S * 1000,
    cases: Object.freeze(cases.filter((c) => only.has(c.name))),
    targets: targetIds,
    write: !values['no-write'],
    cpuProf: values['cpu-prof'],
  })
}

/**
 * @param {string} option @param {string | undefined} value @param {number} fallback @param {number} min
 * @returns {number}
 */
function number(option, value, fallback, min) {
  if (value === undefined || value === '') return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new TypeError(`bench: ${option} expected an integer >= ${min}, got ${JSON.stringify(value)}`)
  }
  return parsed
}

/**
 * @param {string} option @param {string | undefined} value @param {string[]} known
 * @returns {ReadonlySet<string>}
 */
function names(option, value, known) {
  if (value === undefined || value === '') return new Set(known)
  const listed = value.split(',').map((name) => name.trim())
  const unknown = listed.filter((name) => !known.includes(name))
  if (unknown.length > 0) {
    throw new TypeError(`bench: ${option} expected some of ${known.join(', ')}; got unknown ${unknown.join(', ')}`)
  }
  return new Set(listed)
}
