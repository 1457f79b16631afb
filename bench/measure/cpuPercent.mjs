/**
 * CPU use of one process between two of its stats (from a child's `stats()`), in % of one core.
 *
 * @param {{ cpu: NodeJS.CpuUsage, at: number }} before @param {{ cpu: NodeJS.CpuUsage, at: number }} after
 *   `at` in ms (performance.now())
 * @returns {number}
 */
export function cpuPercent(before, after) {
  const used = after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system)
  return (used / ((after.at - before.at) * 1000)) * 100
}
