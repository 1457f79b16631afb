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

  it('measures the WebSocket cases briefly: round trips through ours, and a small stream', async () => {
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
        'ws,ws-stream',
        '--targets',
        'direct,ours-express',
        '--ws-connections',
        '4',
        '--ws-stream-mib',
        '4',
        '--no-write',
      ],
      { timeout: 20_000 },
    )
    expect(stdout).toContain('## ws:')
    expect(stdout).toContain('## ws-stream:')
    const [ws, stream] = stdout.split('## ws-stream:')
    const header = row(ws ?? '', 'target')
    const roundTrips = header?.indexOf('round trips/s') ?? -1
    expect(roundTrips).toBeGreaterThan(0)
    for (const target of ['direct', 'ours-express']) {
      const cells = row(ws ?? '', target)
      expect(cells, `a ws row for ${target}`).toBeDefined()
      expect(Number(cells?.[roundTrips])).toBeGreaterThan(0)
      expect(cells?.[header?.indexOf('errors') ?? -1]).toBe('0')
    }
    const streamHeader = row(stream ?? '', 'target')
    const mib = streamHeader?.indexOf('MiB/s') ?? -1
    const ours = row(stream ?? '', 'ours-express')
    expect(Number(ours?.[mib])).toBeGreaterThan(0)
    expect(ours?.[streamHeader?.indexOf('errors') ?? -1]).toBe('0')
  }, 25_000)

  it('runs the overload case briefly (under capacity): goodput through ours with adaptive concurrency, and a plot', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        script,
        '--warmup',
        '0',
        '--only',
        'overload',
        '--targets',
        'direct,ours-express-adaptive',
        '--overload-rate',
        '40',
        '--overload-duration',
        '1',
        '--no-write',
      ],
      { timeout: 20_000 },
    )
    expect(stdout).toContain('## overload:')
    const header = row(stdout, 'target')
    const goodput = header?.indexOf('goodput/s') ?? -1
    expect(goodput).toBeGreaterThan(0)
    for (const target of ['direct', 'ours-express-adaptive']) {
      const cells = row(stdout, target)
      expect(cells, `an overload row for ${target}`).toBeDefined()
      expect(Number(cells?.[goodput])).toBeGreaterThan(0)
      expect(cells?.[header?.indexOf('errors') ?? -1]).toBe('0')
    }
    expect(stdout).toMatch(/Goodput over time: \[[^\]]+\.svg\]/)
  }, 25_000)
})

describe('bench/report/compareRuns.mjs', () => {
  it("reads a full run's tables back: each ratio as the report printed it, and the peer's CPU ÷ ours", async () => {
    const compare = fileURLToPath(new URL('../bench/report/compareRuns.mjs', import.meta.url))
    const report = fileURLToPath(new URL('../bench/results/2026-12-01-1347.md', import.meta.url))
    const { stdout } = await run(process.execPath, [compare, report, report])
    const cells = (label: string) => row(stdout, label)?.slice(1)
    // get-small in that run: Koa 1.99× koa-proxies-ka, CPU 146 ÷ 72 µs.
    expect(cells('get-small')?.[1]).toBe('1.99 / 1.99 **1.99×**<br>CPU 2.03 / 2.03 **2.03×**')
    // The WebSocket relay is held against http-proxy (22562 round trips/s, 31.0 µs each), not the
    // best peer on the framework: Fastify's 23089 at 30.0 µs.
    expect(cells('ws, × http-proxy')?.[2]).toBe('1.02 / 1.02 **1.02×**<br>CPU 1.03 / 1.03 **1.03×**')
    expect(cells('stream, peak RSS growth MiB')?.[0]).toBe('58.90 / 58.90 **58.90**')
    expect(cells('get-small, SDK on: CPU × off')?.[1]).toBe('1.79 / 1.79 **1.79×**')
  })
})
