/** Plot size and margins, in SVG user units (px). */
const WIDTH = 900
const HEIGHT = 420
const MARGIN = { top: 30, right: 230, bottom: 45, left: 60 }
/** Line colours, one per target in table order (repeating past the end). */
const COLOURS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#000000',
  '#aec7e8',
]

/**
 * The overload case's goodput over time as a hand-written SVG line chart: one line per target
 * (good answers per second in each bucket of completion time), the upstream's capacity as a dashed
 * line, the end of the arrivals as a dotted one, a legend on the right. No dependency.
 *
 * @param {import('../cases/overloadCase.mjs').OverloadRow[]} rows
 * @param {{ capacity: number, bucketMs: number, duration: number, title: string }} plot duration: ms of arrivals
 * @returns {string} the SVG document
 */
export function plotGoodput(rows, { capacity, bucketMs, duration, title }) {
  const buckets = Math.max(1, ...rows.map((row) => row.series.length))
  const maxY = niceCeiling(Math.max(capacity * 1.25, ...rows.flatMap((row) => row.series)))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const spanMs = buckets * bucketMs
  const x = (/** @type {number} */ ms) => MARGIN.left + (ms / spanMs) * plotW
  const y = (/** @type {number} */ value) => MARGIN.top + plotH - (value / maxY) * plotH
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    // the accessible name (Biome's noSvgWithoutTitle lints the committed plots)
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="14">${escapeXml(title)}</text>`,
  ]
  for (let i = 0; i <= 5; i++) {
    const value = (maxY / 5) * i
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(value)}" y2="${y(value)}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end">${Math.round(value)}</text>`,
    )
  }
  for (let s = 0; s * 1000 <= spanMs; s++) {
    out.push(`<text x="${x(s * 1000)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${s}</text>`)
  }
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">seconds since the first arrival (completion time, ${bucketMs} ms buckets)</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">good answers/s (2xx within the deadline)</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#000"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#000"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(capacity)}" y2="${y(capacity)}" stroke="#000" stroke-dasharray="6 4"/>`,
    `<text x="${MARGIN.left + plotW - 4}" y="${y(capacity) - 5}" text-anchor="end">capacity ${capacity}/s</text>`,
    `<line x1="${x(duration)}" x2="${x(duration)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#888" stroke-dasharray="2 3"/>`,
    `<text x="${x(duration) + 4}" y="${MARGIN.top + 12}" fill="#555">arrivals end</text>`,
  )
  rows.forEach((row, i) => {
    const colour = COLOURS[i % COLOURS.length]
    const points = row.series.map((value, b) => `${x((b + 0.5) * bucketMs).toFixed(1)},${y(value).toFixed(1)}`)
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>`)
    const ly = MARGIN.top + 10 + i * 18
    const lx = MARGIN.left + plotW + 16
    out.push(
      `<line x1="${lx}" x2="${lx + 20}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${lx + 26}" y="${ly + 4}">${escapeXml(row.target.id)} (${(row.share * 100).toFixed(0)} %)</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}

/** The next of 1, 2, 5 × 10ⁿ at or above `value`. @param {number} value */
function niceCeiling(value) {
  const step = 10 ** Math.floor(Math.log10(value))
  for (const factor of [1, 2, 5, 10]) if (factor * step >= value) return factor * step
  return 10 * step
}

/** @param {string} text */
function escapeXml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
