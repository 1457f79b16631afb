/** Bytes in a MiB. */
const MIB = 2 ** 20

/**
 * One case's rows as a markdown table, columns padded so it reads in a terminal too.
 *
 * @param {import('../cases/cases.mjs').Case} benchCase
 * @param {import('./checkTargets.mjs').CaseResult['rows']} rows with ratios
 * @returns {string}
 */
export function formatTable(benchCase, rows) {
  if (benchCase.kind === 'stream' || benchCase.kind === 'ws-stream')
    return table(STREAM_COLUMNS, /** @type {any[]} */ (rows))
  if (benchCase.kind === 'ws') return table(WS_COLUMNS, /** @type {any[]} */ (rows))
  if (benchCase.kind === 'failure') return table(FAILURE_COLUMNS, /** @type {any[]} */ (rows))
  if (benchCase.kind === 'overload') return table(OVERLOAD_COLUMNS, /** @type {any[]} */ (rows))
  return table(LOAD_COLUMNS, /** @type {any[]} */ (rows))
}

/** @typedef {[string, (row: any) => string, 'left' | 'right']} Column */

/** @type {Column[]} */
const LOAD_COLUMNS = [
  ['target', (row) => row.target.id, 'left'],
  ['framework', (row) => row.target.framework, 'left'],
  ['req/s', (row) => fixed(row.value, 0), 'right'],
  ['spread', (row) => percent(row.spread), 'right'],
  ['p50 ms', (row) => fixed(row.p50, 0), 'right'],
  ['p99 ms', (row) => fixed(row.p99, 0), 'right'],
  ['errors / non-2xx', (row) => `${row.errors} / ${row.non2xx}`, 'right'],
  ['× direct', (row) => times(row.xDirect), 'right'],
  ['× best peer', (row) => peerRatio(row), 'right'],
  ['CPU', (row) => `${fixed(row.cpu, 0)} %`, 'right'],
  ['CPU µs/req', (row) => fixed(row.cpuPerRequest, 0), 'right'],
  ['RSS MiB', (row) => fixed(row.rss / MIB, 0), 'right'],
  ['others', (row) => `${fixed(row.others, 0)} %`, 'right'],
]

/** @type {Column[]} */
const STREAM_COLUMNS = [
  ['target', (row) => row.target.id, 'left'],
  ['framework', (row) => row.target.framework, 'left'],
  ['MiB/s', (row) => fixed(row.value, 0), 'right'],
  ['spread', (row) => percent(row.spread), 'right'],
  ['× direct', (row) => times(row.xDirect), 'right'],
  ['× best peer', (row) => peerRatio(row), 'right'],
  ['peak RSS growth MiB', (row) => fixed(row.rssGrowth / MIB, 1), 'right'],
  ['RSS before MiB', (row) => fixed(row.rssBefore / MIB, 0), 'right'],
  ['others', (row) => `${fixed(row.others, 0)} %`, 'right'],
  ['errors', (row) => (row.errors.length === 0 ? '0' : row.errors.join('; ')), 'left'],
]

/** @type {Column[]} */
const WS_COLUMNS = [
  ['target', (row) => row.target.id, 'left'],
  ['framework', (row) => row.target.framework, 'left'],
  ['round trips/s', (row) => fixed(row.value, 0), 'right'],
  ['spread', (row) => percent(row.spread), 'right'],
  ['p50 ms', (row) => fixed(row.p50, 2), 'right'],
  ['p99 ms', (row) => fixed(row.p99, 2), 'right'],
  ['errors', (row) => String(row.errors), 'right'],
  ['× direct', (row) => times(row.xDirect), 'right'],
  ['× best peer', (row) => peerRatio(row), 'right'],
  ['CPU', (row) => `${fixed(row.cpu, 0)} %`, 'right'],
  ['CPU µs/round trip', (row) => fixed(row.cpuPerRoundTrip, 1), 'right'],
  ['RSS MiB', (row) => fixed(row.rss / MIB, 0), 'right'],
  ['others', (row) => `${fixed(row.others, 0)} %`, 'right'],
]

/** @type {Column[]} */
const FAILURE_COLUMNS = [
  ['target', (row) => row.target.id, 'left'],
  ['framework', (row) => row.target.framework, 'left'],
  ['answers/s', (row) => fixed(row.value, 0), 'right'],
  ['spread', (row) => percent(row.spread), 'right'],
  ['p50 ms', (row) => fixed(row.p50, 0), 'right'],
  ['p99 ms', (row) => fixed(row.p99, 0), 'right'],
  ['statuses', (row) => statuses(row.statuses), 'left'],
  ['errors', (row) => String(row.errors), 'right'],
  ['× best peer', (row) => peerRatio(row), 'right'],
  ['CPU', (row) => `${fixed(row.cpu, 0)} %`, 'right'],
  ['CPU µs/answer', (row) => fixed(row.cpuPerRequest, 0), 'right'],
  ['sockets before → after', (row) => sockets(row.sockets), 'left'],
  ['others', (row) => `${fixed(row.others, 0)} %`, 'right'],
]

/** Statuses with a column of their own in the overload table; the rest go to "other". */
const OVERLOAD_STATUSES = ['502', '503', '504']

/** @type {Column[]} */
const OVERLOAD_COLUMNS = [
  ['target', (row) => row.target.id, 'left'],
  ['framework', (row) => row.target.framework, 'left'],
  ['goodput/s', (row) => fixed(row.goodput, 0), 'right'],
  ['× capacity', (row) => fixed(row.share, 2), 'right'],
  ['good p50 ms', (row) => fixed(row.p50, 0), 'right'],
  ['good p99 ms', (row) => fixed(row.p99, 0), 'right'],
  ['late 2xx', (row) => String(row.late), 'right'],
  ['502', (row) => String(row.statuses['502'] ?? 0), 'right'],
  ['503', (row) => String(row.statuses['503'] ?? 0), 'right'],
  ['504', (row) => String(row.statuses['504'] ?? 0), 'right'],
  ['other', (row) => otherStatuses(row.statuses), 'right'],
  ['errors', (row) => errorCounts(row.errors), 'right'],
  ['sent', (row) => String(row.sent), 'right'],
  ['CPU', (row) => `${fixed(row.cpu, 0)} %`, 'right'],
  ['others', (row) => `${fixed(row.others, 0)} %`, 'right'],
]

/** @param {Record<string, number>} counts by status @returns {string} non-2xx outside the 502–504 columns */
function otherStatuses(counts) {
  const other = Object.entries(counts).filter(
    ([status]) => !OVERLOAD_STATUSES.includes(status) && !(Number(status) >= 200 && Number(status) < 300),
  )
  return other.length === 0 ? '0' : other.map(([status, count]) => `${count} (${status})`).join(', ')
}

/** @param {Record<string, number>} counts by error @returns {string} */
function errorCounts(counts) {
  const entries = Object.entries(counts)
  return entries.length === 0 ? '0' : entries.map(([error, count]) => `${count} ${error}`).join(', ')
}

/** @param {Column[]} columns @param {any[]} rows @returns {string} */
function table(columns, rows) {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)))
  const widths = columns.map(([title], i) => Math.max(title.length, 3, ...cells.map((line) => line[i].length)))
  const line = (values) =>
    `| ${values.map((value, i) => (columns[i][2] === 'right' ? value.padStart(widths[i]) : value.padEnd(widths[i]))).join(' | ')} |`
  const rule = `| ${widths.map((width, i) => (columns[i][2] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`
  return [line(columns.map(([title]) => title)), rule, ...cells.map(line)].join('\n')
}

/** @param {number} value @param {number} digits */
const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
/** @param {number | undefined} ratio */
const times = (ratio) => (ratio === undefined || !Number.isFinite(ratio) ? '—' : `${ratio.toFixed(2)}×`)
/** @param {number} ratio */
const percent = (ratio) => (Number.isFinite(ratio) ? `±${((ratio / 2) * 100).toFixed(0)} %` : '—')

/**
 * The ratio to the best peer, naming that peer when it is on another framework (a framework with
 * no peer in the case, see addRatios).
 *
 * @param {{ target: import('../cases/targets.mjs').Target, xPeer?: number, peer?: import('../cases/targets.mjs').Target }} row
 */
function peerRatio(row) {
  const ratio = times(row.xPeer)
  return row.peer !== undefined && row.peer.framework !== row.target.framework ? `${ratio} ${row.peer.id}` : ratio
}

/** @param {Record<string, number>} counts @returns {string} */
function statuses(counts) {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0)
  if (total === 0) return 'none'
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([status, count]) => `${status} ${((count / total) * 100).toFixed(count === total ? 0 : 1)} %`)
    .join(', ')
}

/** @param {{ before: number, after: number, settledMs: number | undefined } | undefined} check */
function sockets(check) {
  if (check === undefined) return '—'
  if (check.settledMs === undefined) return `${check.before} → ${check.after}: NOT back after 5 s`
  return `${check.before} → ${check.after} (back in ${Math.round(check.settledMs)} ms)`
}
