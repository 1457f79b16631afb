// node bench/report/compareRuns.mjs <result.md>…
// Ours against the best peer on the same framework, case by case, across full runs (the result
// files `npm run bench` writes): each run's ratio as its report printed it, then the median; and the
// same from CPU per response (the peer's CPU ÷ ours, so above 1 means ours spends less), the
// steadier figure. Issue 17's goals are met when both medians meet them.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

/** The frameworks ours runs on, as the reports name them. */
const FRAMEWORKS = ['express', 'koa', 'fastify']

/**
 * What each case compares: the row suffix of ours (`''` for the defaults of the proxy cases),
 * the value column, and the CPU column (absent where the report has none); `against` names the
 * one peer a goal is set against (the WebSocket relay: http-proxy's raw pipe) instead of the best
 * peer on the framework.
 */
const CASES = [
  { case: 'get-small', suffix: '', value: 'req/s', cpu: 'CPU µs/req' },
  { case: 'get-64k', suffix: '', value: 'req/s', cpu: 'CPU µs/req' },
  { case: 'post-64k', suffix: '', value: 'req/s', cpu: 'CPU µs/req' },
  { case: 'stream', suffix: '', value: 'MiB/s' },
  { case: 'stream', suffix: '', value: 'peak RSS growth MiB', raw: true },
  { case: 'failure', suffix: '', value: 'answers/s', cpu: 'CPU µs/answer', label: 'failure, retry and circuit off' },
  { case: 'failure', suffix: '-defaults', value: 'answers/s', cpu: 'CPU µs/answer', label: 'failure, defaults' },
  { case: 'ws', suffix: '', value: 'round trips/s', cpu: 'CPU µs/round trip', against: 'http-proxy' },
  { case: 'ws-stream', suffix: '', value: 'MiB/s', against: 'http-proxy' },
  { case: 'get-small', suffix: '-otel', value: 'CPU µs/req', otel: true, label: 'get-small, SDK on: CPU × off' },
]

const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node bench/report/compareRuns.mjs <result.md>…')
  process.exitCode = 1
} else {
  console.log(compareRuns(files.map((file) => ({ name: basename(file, '.md'), tables: readTables(file) }))))
}

/**
 * The tables of one report, by case: the section `## <case>: …` and its rows by target.
 *
 * @param {string} file
 * @returns {Map<string, Map<string, Record<string, string>>>}
 */
function readTables(file) {
  /** @type {Map<string, Map<string, Record<string, string>>>} */
  const tables = new Map()
  let rows
  let columns
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const section = /^## ([\w-]+):/.exec(line)
    if (section) {
      rows = new Map()
      columns = undefined
      tables.set(section[1], rows)
      continue
    }
    if (rows === undefined || !line.startsWith('|')) continue
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim())
    if (columns === undefined) columns = cells
    else if (!cells[0].startsWith('-')) rows.set(cells[0], Object.fromEntries(columns.map((c, i) => [c, cells[i]])))
  }
  return tables
}

/**
 * @param {{ name: string, tables: ReturnType<typeof readTables> }[]} runs
 * @returns {string} markdown
 */
function compareRuns(runs) {
  const lines = [
    `Runs: ${runs.map((run) => run.name).join(', ')}. Each cell: the runs' ratios, then their median in bold; ` +
      'below it, from CPU per response (the peer ÷ ours).',
    '',
    `| case | ${FRAMEWORKS.join(' | ')} |`,
    `|---|${FRAMEWORKS.map(() => '---').join('|')}|`,
  ]
  for (const spec of CASES) {
    const cells = FRAMEWORKS.map((framework) => {
      const ratios = []
      const cpuRatios = []
      for (const run of runs) {
        const rows = run.tables.get(spec.case)
        const ours = rows?.get(`ours-${framework}${spec.suffix}`)
        if (ours === undefined) continue
        if (spec.otel) {
          const off = rows.get(`ours-${framework}`)
          if (off !== undefined) ratios.push(number(ours[spec.value]) / number(off[spec.value]))
          continue
        }
        const peer = spec.against ? rows.get(spec.against) : bestPeerRow(rows, framework, ours['× best peer'])
        if (spec.raw) ratios.push(number(ours[spec.value]))
        else if (spec.against) ratios.push(number(ours[spec.value]) / number(peer?.[spec.value]))
        else ratios.push(number(ours['× best peer']))
        if (spec.cpu && peer) cpuRatios.push(number(peer[spec.cpu]) / number(ours[spec.cpu]))
      }
      const unit = spec.raw ? '' : '×'
      const show = (values) => `${values.map((v) => v.toFixed(2)).join(' / ')} **${median(values).toFixed(2)}${unit}**`
      if (ratios.length === 0) return '—'
      return cpuRatios.length === 0 ? show(ratios) : `${show(ratios)}<br>CPU ${show(cpuRatios)}`
    })
    const label =
      spec.label ?? `${spec.case}${spec.raw ? ', peak RSS growth MiB' : ''}${spec.against ? `, × ${spec.against}` : ''}`
    lines.push(`| ${label} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/**
 * The peer ours was compared with: the row at 1.00× on the same framework, or the one the cell
 * names (the WebSocket cases compare Koa with the fastest peer of any framework).
 *
 * @param {Map<string, Record<string, string>>} rows @param {string} framework @param {string} oursCell
 */
function bestPeerRow(rows, framework, oursCell) {
  const named = /×\s+(\S+)$/.exec(oursCell ?? '')
  if (named) return rows.get(named[1])
  for (const [target, row] of rows) {
    if (target.startsWith('ours-') || target === 'direct') continue
    if (row.framework === framework && row['× best peer'] === '1.00×') return row
  }
  return undefined
}

/** @param {string | undefined} cell */
function number(cell) {
  return Number.parseFloat((cell ?? '').replace(/[^\d.]/g, ''))
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
