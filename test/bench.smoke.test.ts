import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('../bench/run.mjs', import.meta.url))

/** The cells of the table row whose first cell is `target`, or undefined. */
function row(table: string, target: string): string[] | undefined {
  return table
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .find((cells) => cells[1] === target)
    ?.slice(1, -1)
}

describe('npm run bench', () => {
  it('measures one case for about a second and prints a table with a row per target', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        script,
        '--duration',
        '1',
        '--runs',
        '1',
        '--warmup',
        '0',
        '--only',
        'get-small',
        '--targets',
        'direct,ours-express',
        '--no-write',
      ],
      { timeout: 20_000 },
    )
    expect(stdout).toContain('## get-small')
    const header = row(stdout, 'target')
    expect(header).toContain('req/s')
    const rps = header?.indexOf('req/s') ?? -1
    for (const target of ['direct', 'ours-express']) {
      const cells = row(stdout, target)
      expect(cells, `a row for ${target}`).toBeDefined()
      expect(Number(cells?.[rps])).toBeGreaterThan(0)
    }
    expect(row(stdout, 'ours-express')?.[header?.indexOf('errors / non-2xx') ?? -1]).toBe('0 / 0')
  }, 25_000)
})
