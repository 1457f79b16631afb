// npm run bench: the upstream and, one at a time, each target in processes of their own; load from
// autocannon in this process; a markdown table per case, printed and written to bench/results/.
// See bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseBenchOptions } from './cases/parseBenchOptions.mjs'
import { runCase } from './cases/runCase.mjs'
import { targets } from './cases/targets.mjs'
import { startChild, stopAllChildren } from './processes/startChild.mjs'
import { describeCode } from './report/describeCode.mjs'
import { formatReport } from './report/formatReport.mjs'
import { plotGoodput } from './report/plotGoodput.mjs'

const RESULTS = new URL('results/', import.meta.url)
/** A 1-minute load average above this at the start means other work will skew the figures. */
const BUSY_LOAD_AVERAGE = 0.5

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every process the benchmark started`)
    stopAllChildren().finally(() => process.exit(130))
  })
}

try {
  const options = parseBenchOptions(process.argv.slice(2), process.env)
  if (options !== undefined) await main(options)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await stopAllChildren()
}

/** @param {import('./cases/parseBenchOptions.mjs').BenchOptions} options */
async function main(options) {
  const started = new Date()
  const startLoad = loadavg()[0]
  const code = describeCode()
  if (startLoad > BUSY_LOAD_AVERAGE) {
    console.error(`warning: load average ${startLoad.toFixed(2)}: something else is running, the figures will be noisy`)
  }
  const upstream = await startChild(new URL('processes/upstream.mjs', import.meta.url).pathname, { name: 'upstream' })
  const stamp = started.toISOString().slice(0, 16).replace(/:/g, '')
  const context = {
    upstream,
    refusedOrigin: await refusedOrigin(),
    profileDir: options.cpuProf ? new URL(`profiles/${stamp}/`, RESULTS).pathname : undefined,
  }
  const plan = options.cases.map((benchCase) => ({
    benchCase,
    caseTargets: benchCase.targets
      .filter((id) => options.targets.has(id))
      .map((id) => targets.find((t) => t.id === id)),
  }))
  const total = plan.reduce((sum, { caseTargets }) => sum + caseTargets.length, 0)
  let done = 0
  const results = []
  for (const { benchCase, caseTargets } of plan) {
    if (caseTargets.length === 0) continue
    const first = done
    done += caseTargets.length
    const progress = (target, message) => {
      console.error(
        `[${first + caseTargets.indexOf(target) + 1}/${total}] ${benchCase.name} · ${target.id}: ${message}`,
      )
    }
    results.push(await runCase(benchCase, caseTargets, context, options, progress))
  }
  await upstream.stop()
  const plots = writePlots(results, options, stamp)
  const command = ['npm run bench', ...process.argv.slice(2)].join(' ').replace('npm run bench ', 'npm run bench -- ')
  const report = formatReport(results, options, {
    started,
    seconds: (Date.now() - started.getTime()) / 1000,
    command,
    loadAverage: [startLoad, loadavg()[0]],
    code,
    plots,
  })
  console.log(report)
  if (options.write) {
    mkdirSync(RESULTS, { recursive: true })
    const file = new URL(`${stamp.replace('T', '-')}.md`, RESULTS)
    writeFileSync(file, report)
    writeFileSync(new URL('latest.md', RESULTS), report)
    console.error(`written to ${file.pathname} and bench/results/latest.md`)
  }
  if (context.profileDir !== undefined) console.error(`CPU profiles in ${context.profileDir}`)
}

/**
 * The overload case's goodput over time as an SVG next to the report (`bench/results/overload-<date>.svg`),
 * or in the temporary directory with `--no-write`.
 *
 * @param {import('./report/checkTargets.mjs').CaseResult[]} results
 * @param {import('./cases/parseBenchOptions.mjs').BenchOptions} options
 * @param {string} stamp
 * @returns {Map<string, string>} per case name, the link for the report
 */
function writePlots(results, options, stamp) {
  /** @type {Map<string, string>} */
  const plots = new Map()
  for (const { benchCase, rows } of results) {
    if (benchCase.overload === undefined) continue
    const name = `${benchCase.name}-${stamp.replace('T', '-')}.svg`
    const svg = plotGoodput(/** @type {import('./cases/overloadCase.mjs').OverloadRow[]} */ (rows), {
      capacity: benchCase.overload.capacity,
      bucketMs: benchCase.overload.bucketMs,
      duration: options.overloadDuration * 1000,
      title: `${benchCase.name}: ${options.overloadRate} req/s open loop against ${benchCase.overload.capacity}/s of capacity`,
    })
    if (options.write) {
      mkdirSync(RESULTS, { recursive: true })
      writeFileSync(new URL(name, RESULTS), svg)
      plots.set(benchCase.name, name)
    } else {
      const file = join(tmpdir(), name)
      writeFileSync(file, svg)
      plots.set(benchCase.name, file)
    }
    console.error(`${benchCase.name}: goodput plot written to ${plots.get(benchCase.name)}`)
  }
  return plots
}

/** An origin on 127.0.0.1 that refuses connections: a port just bound and released. */
async function refusedOrigin() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  await new Promise((resolve) => server.close(resolve))
  return `http://127.0.0.1:${port}`
}
