import { bestPeer } from './addRatios.mjs'

/** Largest peak RSS growth of ours in the streaming cases, in bytes (issue 6; ws-stream too). */
const STREAM_RSS_LIMIT = 50 * 2 ** 20
/** Round trips/s of ours in the ws case, at least, against the fastest peer on its framework. */
const WS_PEER_GOAL = 1.0
/** …and the aim against the upstream without a proxy. */
const WS_DIRECT_GOAL = 0.85

/** Goodput of ours with `concurrency: 'adaptive'` in the overload case, at least, as a share of capacity. */
const OVERLOAD_GOODPUT_GOAL = 0.8
/** …and the p99 of its good answers, at most, in service times of the upstream. */
const OVERLOAD_P99_SERVICE_TIMES = 4
/** The targets the overload goals are for. */
const OVERLOAD_GOAL_TARGETS = ['ours-express-adaptive', 'ours-fastify-adaptive']

/** Framework names as the goals spell them. @type {Record<string, string>} */
const FRAMEWORKS = { express: 'Express', koa: 'Koa', fastify: 'Fastify', 'node:http': 'node:http' }

/** Answers/s of ours in the failure case, at least, against the fastest peer on its framework (issue 17):
 * with retry and circuit off (like the peers), and with the defaults (passive health answers 503 without connecting). */
const FAILURE_PEER_GOAL = 1.0
const FAILURE_DEFAULTS_PEER_GOAL = 2.0

/** Most CPU per response with the OpenTelemetry SDK registered, against the same target without (issue 14). */
const TELEMETRY_CPU_LIMIT = 1.15

/**
 * @typedef {object} CaseResult
 * @property {import('../cases/cases.mjs').Case} benchCase
 * @property {Array<import('../cases/loadCase.mjs').LoadRow | import('../cases/streamCase.mjs').StreamRow | import('../cases/webSocketCase.mjs').WebSocketRow>} rows
 */

/**
 * The targets of issue 6 (speed against the peers), of issue 14 (the cost of metrics + traces: an
 * `-otel` row's CPU per response against its plain row's), of the WebSocket cases and of the overload
 * case, checked against the measured ratios: one line per target that this run measured, "met" or
 * "MISSED" with the figure.
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
    // the SDK's floor (sdk-floor-otel against sdk-floor): what the SDK costs per response by itself
    const added = (otel) => {
      const plain = row(rows, otel.target.id.slice(0, -'-otel'.length))
      return plain === undefined || !(plain.cpuPerRequest > 0)
        ? undefined
        : { plain, micros: otel.cpuPerRequest - plain.cpuPerRequest }
    }
    const floorRow = row(rows, 'sdk-floor-otel')
    const floor = floorRow === undefined ? undefined : added(floorRow)
    for (const otel of rows.filter((r) => r.target.id.endsWith('-otel'))) {
      const cost = added(otel)
      if (cost === undefined) continue
      const ratio = otel.cpuPerRequest / cost.plain.cpuPerRequest
      const figures = `${otel.cpuPerRequest.toFixed(0)} / ${cost.plain.cpuPerRequest.toFixed(0)} µs = ${ratio.toFixed(3)}× (+${cost.micros.toFixed(0)} µs)`
      if (otel.target.role === 'floor') {
        lines.push(`${benchCase.name}: the SDK alone, one span + one histogram record (${otel.target.id}): ${figures}`)
        continue
      }
      lines.push(
        `${benchCase.name}: ${otel.target.id} CPU per response ≤ ${TELEMETRY_CPU_LIMIT.toFixed(2)}× ${cost.plain.target.id}: ` +
          `${figures}${floor === undefined ? '' : `, of which the SDK's floor +${floor.micros.toFixed(0)} µs`} — ${verdict(ratio <= TELEMETRY_CPU_LIMIT)}`,
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
    if (benchCase.kind === 'ws') {
      const fastest = bestPeer(rows, undefined)
      for (const ours of rows.filter((r) => r.target.role === 'ours')) {
        const parts = []
        const { peer, xPeer, xDirect } = ours
        if (peer !== undefined && xPeer !== undefined) {
          const against =
            peer.framework === ours.target.framework
              ? `the fastest ${FRAMEWORKS[peer.framework] ?? peer.framework} peer, ${peer.id}`
              : `the fastest peer, ${peer.id} (no ${FRAMEWORKS[ours.target.framework] ?? ours.target.framework} peer proxies WebSockets)`
          parts.push(
            `${xPeer.toFixed(3)}× ${against} (≥ ${WS_PEER_GOAL.toFixed(1)}: ${verdict(xPeer >= WS_PEER_GOAL)})`,
          )
          if (fastest !== undefined && fastest.target !== peer) {
            parts.push(`${(ours.value / fastest.value).toFixed(3)}× ${fastest.target.id}, the fastest of any framework`)
          }
        }
        if (xDirect !== undefined) {
          parts.push(`${xDirect.toFixed(3)}× direct (aim ≥ ${WS_DIRECT_GOAL}: ${verdict(xDirect >= WS_DIRECT_GOAL)})`)
        }
        const { errors } = /** @type {import('../cases/webSocketCase.mjs').WebSocketRow} */ (ours)
        if (errors > 0) parts.push(`${errors} errors`)
        if (parts.length > 0) lines.push(`ws: ${ours.target.id}: ${parts.join(', ')}`)
      }
    }
    if (benchCase.kind === 'overload' && benchCase.overload !== undefined) {
      const { capacity, serviceMs } = benchCase.overload
      const p99Limit = OVERLOAD_P99_SERVICE_TIMES * serviceMs
      for (const id of OVERLOAD_GOAL_TARGETS) {
        const ours = /** @type {import('../cases/overloadCase.mjs').OverloadRow | undefined} */ (row(rows, id))
        if (ours === undefined) continue
        const timeouts = ours.statuses['504'] ?? 0
        const parts = [
          `goodput ${ours.share.toFixed(2)}× capacity (${Math.round(ours.goodput)} of ${capacity}/s; ≥ ${OVERLOAD_GOODPUT_GOAL}: ${verdict(ours.share >= OVERLOAD_GOODPUT_GOAL)})`,
          `good p99 ${Math.round(ours.p99)} ms (≤ ${p99Limit}: ${verdict(ours.p99 <= p99Limit)})`,
          `${timeouts} × 504 (none: ${verdict(timeouts === 0)})`,
        ]
        lines.push(`overload: ${id}: ${parts.join(', ')}`)
      }
    }
    if (benchCase.kind === 'failure') {
      for (const ours of rows.filter((r) => r.target.role === 'ours')) {
        const { xPeer, peer, sockets } = /** @type {import('../cases/loadCase.mjs').LoadRow} */ (ours)
        const goal = ours.target.keepDefaults ? FAILURE_DEFAULTS_PEER_GOAL : FAILURE_PEER_GOAL
        const parts = []
        if (xPeer !== undefined && peer !== undefined) {
          parts.push(`${xPeer.toFixed(3)}× ${peer.id} (≥ ${goal.toFixed(1)}: ${verdict(xPeer >= goal)})`)
        }
        if (sockets !== undefined) {
          parts.push(`sockets ${sockets.before} → ${sockets.after} (back: ${verdict(sockets.after <= sockets.before)})`)
        }
        if (parts.length > 0) lines.push(`failure: ${ours.target.id}: ${parts.join(', ')}`)
      }
    }
    if (benchCase.kind === 'ws-stream') {
      for (const ours of rows.filter((r) => r.target.role === 'ours')) {
        const { rssGrowth, rssGrowths, errors } = /** @type {import('../cases/streamCase.mjs').StreamRow} */ (ours)
        const perRun = rssGrowths.map((growth) => `+${(growth / 2 ** 20).toFixed(0)}`).join(', ')
        const parts = [
          `RSS +${(rssGrowth / 2 ** 20).toFixed(1)} MiB (< 50: ${verdict(rssGrowth < STREAM_RSS_LIMIT)}; runs in order: ${perRun} MiB)`,
        ]
        if (ours.xDirect !== undefined) parts.push(`${ours.xDirect.toFixed(3)}× direct`)
        if (ours.peer !== undefined && ours.xPeer !== undefined) parts.push(`${ours.xPeer.toFixed(3)}× ${ours.peer.id}`)
        if (errors.length > 0) parts.push(`errors: ${errors.join('; ')}`)
        lines.push(`ws-stream: ${ours.target.id}: ${parts.join(', ')}`)
      }
    }
  }
  return lines
}
