/**
 * Set each row's ratio to the direct row (`xDirect`) and to the best peer on the same framework
 * (`xPeer`: for ours, ours ÷ the fastest peer; for a peer, itself ÷ the fastest, so the best is
 * 1.00). The keep-alive variants are peers of their own, so "best" is the faster variant.
 *
 * @template {{ target: import('../cases/targets.mjs').Target, value: number, xDirect?: number, xPeer?: number }} Row
 * @param {Row[]} rows one case's rows
 * @returns {Row[]} the same rows
 */
export function addRatios(rows) {
  const direct = rows.find((row) => row.target.role === 'direct')
  for (const row of rows) {
    if (direct !== undefined && row !== direct) row.xDirect = row.value / direct.value
    const best = bestPeer(rows, row.target.framework)
    if (best !== undefined && row.target.role !== 'direct') row.xPeer = row.value / best.value
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
