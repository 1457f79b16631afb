import { readFileSync, writeFileSync } from 'node:fs'

/**
 * Resident set size of a process, in bytes, from /proc/<pid>/status (Linux): `VmRSS` now, or
 * `VmHWM`, its peak since the last {@link resetPeakRss}.
 *
 * @param {number} pid
 * @param {'VmRSS' | 'VmHWM'} [field]
 * @returns {number}
 */
export function readRss(pid, field = 'VmRSS') {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)
  if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`)
  return Number(match[1]) * 1024
}

/**
 * Reset a process's `VmHWM` to its current RSS (writing 5 to /proc/<pid>/clear_refs).
 *
 * @param {number} pid
 * @returns {boolean} false where that is not allowed: then only the sampled peak counts
 */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
