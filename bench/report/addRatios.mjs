/**
 * Set each row's ratio to the direct row (`xDirect`) and to the best peer on the same framework
 * (`xPeer`: for ours, ours ÷ the fastest peer; for a peer, itself ÷ the fastest, so the best is
 * 1.00), and that peer (`peer`). The keep-alive variants are peers of their own, so "best" is the
 * faster variant. A framework with no peer in the case (Koa in the WebSocket cases: koa-proxies
 * does not proxy WebSockets) is compared with the fastest peer of any framework instead.
 *
 * @template {{ target: import('../cases/targets.mjs').Target, value: number, xDirect?: number, xPeer?: number, peer?: import('../cases/targets.mjs').Target }} Row
 * @param {Row[]} rows one case's rows
 * @returns {Row[]} the same rows
 */
export function addRatios(rows) {
  const direct = rows.find((row) => row.target.role === 'direct')
  for (const row of rows) {
    if (direct !== undefined && row !== direct) row.xDirect = row.value / direct.value
    const best = bestPeer(rows, row.target.framework) ?? bestPeer(rows, undefined)
    if (best !== undefined && row.target.role !== 'direct') {
      row.xPeer = row.value / best.value
      row.peer = best.target
    }
  }
  return rows
}

/**
 * The fastest peer on a framework (any framework when `framework` is undefined).
 *
 * @template {{ target: import('../cases/targets.mjs').Target, value: number }} Row
 * @param {Row[]} rows @param {string | undefined} framework
 * @returns {Row | undefined}
 */
export function bestPeer(rows, framework) {
  let best
  for (const row of rows) {
    if (row.target.role !== 'peer' || (framework !== undefined && row.target.framework !== framework)) continue
    if (best === undefined || row.value > best.value) best = row
  }
  return best
}
