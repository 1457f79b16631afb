import { bestPeer } from './addRatios.mjs'

/** Largest peak RSS growth of ours in the streaming case, in bytes (issue 6). */
const STREAM_RSS_LIMIT = 50 * 2 ** 20
/** Most CPU per response with the OpenTelemetry SDK registered, against the same target without (issue 14). */
const TELEMETRY_CPU_LIMIT = 1.15

/**
 * @typedef {object} CaseResult
 * @property {import('../cases/cases.mjs').Case} benchCase
 * @property {Array<import('../cases/loadCase.mjs').LoadRow | import('../cases/streamCase.mjs').StreamRow>} rows
 */

/**
 * The targets of issues 6 (speed against the peers) and 14 (the cost of metrics + traces: an `-otel`
 * row's CPU per response against its plain row's), checked against the measured ratios: one line per
 * target that this run measured, "met" or "MISSED" with the figure.
 *
 * @param {CaseResult[]} results
 * @returns {string[]} markdown list items
 */
export function checkTargets(results) {
  const lines = []
  const row = (rows, id) => rows.find((r) => r.target.id === id)
  const verdict = (ok) => (ok ? 'met' : 'MISSED')
  for (const { benchCase, rows } of results) {
    if (benchCase.kind === 'load' && benchCase.name !== 'guard') {
      for (const [id, goal, against] of [
        ['ours-fastify', 1.0, 'reply-from'],
        ['ours-express', 1.2, 'the fastest Express peer'],
        ['ours-koa', 1.5, 'koa-proxies (faster variant)'],
      ]) {
        const ours = row(rows, id)
        if (ours?.xPeer === undefined) continue
        lines.push(
          `${benchCase.name}: ${id} ≥ ${goal.toFixed(1)}× ${against}: ${ours.xPeer.toFixed(3)}× — ${verdict(ours.xPeer >= goal)}`,
        )
      }
    }
    for (const otel of rows.filter((r) => r.target.id.endsWith('-otel'))) {
      const plain = row(rows, otel.target.id.slice(0, -'-otel'.length))
      if (plain === undefined || !(plain.cpuPerRequest > 0)) continue
      const ratio = otel.cpuPerRequest / plain.cpuPerRequest
      lines.push(
        `${benchCase.name}: ${otel.target.id} CPU per response ≤ ${TELEMETRY_CPU_LIMIT.toFixed(2)}× ${plain.target.id}: ` +
          `${otel.cpuPerRequest.toFixed(0)} / ${plain.cpuPerRequest.toFixed(0)} µs = ${ratio.toFixed(3)}× — ${verdict(ratio <= TELEMETRY_CPU_LIMIT)}`,
      )
    }
    if (benchCase.name === 'guard') {
      const ours = row(rows, 'guard-ours-express')
      if (ours?.xPeer !== undefined) {
        lines.push(
          `guard: req.gateway.request ≥ 0.8× undici.request: ${ours.xPeer.toFixed(3)}× — ${verdict(ours.xPeer >= 0.8)}`,
        )
      }
    }
    if (benchCase.kind === 'stream') {
      const fastest = bestPeer(rows, undefined)
      for (const ours of rows.filter((r) => r.target.role === 'ours')) {
        const growth = /** @type {import('../cases/streamCase.mjs').StreamRow} */ (ours).rssGrowth
        const parts = []
        if (ours.xDirect !== undefined)
          parts.push(`${ours.xDirect.toFixed(3)}× direct (≥ 0.6: ${verdict(ours.xDirect >= 0.6)})`)
        parts.push(`RSS +${(growth / 2 ** 20).toFixed(1)} MiB (< 50: ${verdict(growth < STREAM_RSS_LIMIT)})`)
        if (fastest !== undefined) {
          const ratio = ours.value / fastest.value
          parts.push(`${ratio.toFixed(3)}× the fastest peer, ${fastest.target.id} (≥ 1.0: ${verdict(ratio >= 1)})`)
        }
        lines.push(`stream: ${ours.target.id}: ${parts.join(', ')}`)
      }
    }
  }
  return lines
}
