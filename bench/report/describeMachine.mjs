import { execFileSync } from 'node:child_process'
import os from 'node:os'

/**
 * The machine, for the report's header: CPUs (`nproc`), memory (`free -h`), kernel, Node.
 *
 * @returns {string[]} markdown list items
 */
export function describeMachine() {
  const cpus = os.cpus()
  const lines = [
    `CPUs: ${os.availableParallelism()} (nproc), ${cpus[0]?.model.trim() ?? 'unknown model'}`,
    `Memory: ${memory()}`,
    `OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `Node.js ${process.version}`,
  ]
  return lines
}

/** The `Mem:` line of `free -h`, or Node's figures without it. */
function memory() {
  try {
    const [header, mem] = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n')
    const names = header.trim().split(/\s+/)
    const values = mem.trim().split(/\s+/).slice(1)
    return names.map((name, i) => `${name} ${values[i]}`).join(', ')
  } catch {
    return `total ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, free ${(os.freemem() / 2 ** 30).toFixed(1)} GiB`
  }
}
