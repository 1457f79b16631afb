import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/**
 * @typedef {object} CpuSnapshot
 * @property {number} total all CPU time of the machine, in clock ticks
 * @property {number} busy user, nice, system and steal time (interrupts left out: loopback traffic runs there)
 * @property {number} ours the user and system time of the benchmark's own processes
 */

/**
 * The machine's CPU time and that of the benchmark's processes (Linux, /proc), to tell how much
 * of the machine other work took during a run.
 *
 * @param {number[]} pids the load generator, the upstream, the target
 * @returns {CpuSnapshot}
 */
export function cpuSnapshot(pids) {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  let ours = 0
  for (const pid of new Set(pids)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ours += Number(fields[11]) + Number(fields[12])
    } catch {
      // gone
    }
  }
  return {
    total: user + nice + system + idle + iowait + irq + softirq + steal,
    busy: user + nice + system + steal,
    ours,
  }
}

/**
 * CPU that other work used between two snapshots, in % of one core (approximate: kernel threads
 * doing the benchmark's own network work count as other work).
 *
 * @param {CpuSnapshot} before @param {CpuSnapshot} after
 * @returns {number}
 */
export function otherCpuPercent(before, after) {
  const total = after.total - before.total
  if (total <= 0) return 0
  const other = after.busy - before.busy - (after.ours - before.ours)
  return Math.max(0, (other / total) * availableParallelism() * 100)
}
