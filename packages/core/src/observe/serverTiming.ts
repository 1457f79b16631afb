import type { PhaseRecord } from '../events/PhaseRecord.js'

/**
 * The gateway's `Server-Timing` entries (ms, one decimal): `upstream` from the first attempt's start
 * to `now` (the response headers), and the last attempt's `connect` (pool wait and connect) and
 * `ttfb` (request sent to the first response byte) where known.
 */
export function serverTiming(firstStarted: number, last: PhaseRecord | undefined, now: number): string {
  let value = `upstream;dur=${ms(now - firstStarted)}`
  if (last?.connected !== undefined) value += `, connect;dur=${ms(last.connected - last.started)}`
  if (last?.sent !== undefined && last.firstByte !== undefined) value += `, ttfb;dur=${ms(last.firstByte - last.sent)}`
  return value
}

function ms(value: number): string {
  return (Math.round(value * 10) / 10).toString()
}
