// node bench/measure/streamCost.mjs <target> [--ws] [--mib 512] [--runs 3] [--callgrind <file>] [--trace-gc [--gc-log <file>]] [--node=<flag>]…
// What one long download costs the target process, run after run in the same process: its own CPU µs
// per MiB (process.cpuUsage over IPC, so the shared machine's other work is not in it), minor page
// faults per MiB, peak RSS growth (sampled, plus VmHWM) and MiB/s (wall clock: trust it least). The
// stream case's MiB/s swing by a quarter on a busy machine; these figures are steadier, and the
// first run's apart from the later ones separates a fresh process's one-off step from what every
// stream costs. `--ws`: the ws-stream case instead (binary messages over one WebSocket).
//   --trace-gc         the target runs with --trace-gc and --trace-incremental-marking: each run's
//                      scavenges and mark-compacts are counted, and what started each incremental
//                      marking: `allocation limit` is V8's hard trigger (old generation plus the
//                      external memory allocated since the last mark-compact reach the limit),
//                      `task` its soft one (the headroom left is under the new space's size); see
//                      bench/README.md, "What a stream costs"
//   --gc-log <file>    keep the --trace-gc log (and any --node=--trace-gc-nvp lines) in <file>
//   --node=<flag>      a flag for the target's node (repeatable), e.g. --node=--max-semi-space-size=4
//   --callgrind <file> the target runs under `valgrind --tool=callgrind` with `node --predictable`;
//                      the counters are zeroed after a warm-up of --mib and dumped after the first
//                      run (`<file>.1`): instructions per MiB of that run are printed
// Run `npx tsc -b` first: the targets load packages/*/dist.
import { execFileSync, fork } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { WebSocket } from 'ws'
import { targets } from '../cases/targets.mjs'
import { readRss, resetPeakRss } from './readRss.mjs'

const MiB = 2 ** 20
/** How often the target's RSS is sampled during a run, in ms. */
const RSS_SAMPLE_INTERVAL_MS = 20

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ws: { type: 'boolean', default: false },
    mib: { type: 'string', default: '512' },
    runs: { type: 'string', default: '3' },
    callgrind: { type: 'string' },
    'trace-gc': { type: 'boolean', default: false },
    'gc-log': { type: 'string' },
    node: { type: 'string', multiple: true, default: [] },
  },
})
const target = targets.find((t) => t.id === positionals[0] && t.script !== undefined)
if (target === undefined) {
  throw new TypeError(
    `streamCost: expected a target with a script (ours-express, http-proxy-ka, …), got ${positionals[0]}`,
  )
}
const mib = Number(values.mib)
const runs = Number(values.runs)
const scratch = mkdtempSync(join(tmpdir(), 'stream-cost-'))

/**
 * Fork a benchmark process and wait for its port; `stats()` asks it for its own CPU time.
 * @param {string} script @param {string[]} args @param {Record<string, string>} env
 * @param {{ execPath?: string, execArgv?: string[], log?: string }} [how]
 */
async function start(script, args, env, { execPath, execArgv = [], log } = {}) {
  const out = log === undefined ? 'ignore' : openSync(log, 'w')
  const child = fork(script, args, {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    execPath,
    execArgv,
    stdio: ['ignore', out, out, 'ipc'],
  })
  if (typeof out === 'number') closeSync(out)
  let next = 0
  /** @type {Map<number, (cpu: NodeJS.CpuUsage) => void>} */
  const pending = new Map()
  const port = await new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message?.type === 'ready') resolve(message.port)
      if (message?.type === 'stats') pending.get(message.id)?.(message.cpu)
    })
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))
  })
  return {
    pid: /** @type {number} */ (child.pid),
    port,
    /** @returns {Promise<NodeJS.CpuUsage>} */
    cpu: () =>
      new Promise((resolve) => {
        const id = next++
        pending.set(id, resolve)
        child.send({ type: 'stats', id })
      }),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send({ type: 'stop' })
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Download `bytes` through the target once, reading as fast as possible; resolves with the ms it took. */
function download(port, bytes) {
  const path = `${target.prefix}${values.ws ? '/ws/stream' : '/stream'}?bytes=${bytes}`
  const started = performance.now()
  return new Promise((resolve, reject) => {
    let received = 0
    const done = () =>
      received === bytes ? resolve(performance.now() - started) : reject(new Error(`received ${received} of ${bytes}`))
    if (values.ws) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false })
      ws.on('message', (data) => {
        received += /** @type {Buffer} */ (data).length
      })
      ws.on('error', reject)
      ws.on('close', done)
      return
    }
    const req = request(`http://127.0.0.1:${port}${path}`, { agent: false }, (res) => {
      res.on('data', (chunk) => {
        received += chunk.length
      })
      res.on('end', done)
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Minor page faults of process `pid` so far (/proc/<pid>/stat, field 10). */
function minorFaults(pid) {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7])
}

/** Scavenges and mark-compacts in a --trace-gc log so far. */
function collections(log) {
  const text = readFileSync(log, 'utf8')
  /** @type {Map<string, number>} */
  const markingStarts = new Map()
  for (const [, reason] of text.matchAll(/\[IncrementalMarking\] Start \(([^)]*)\)/g)) {
    markingStarts.set(reason, (markingStarts.get(reason) ?? 0) + 1)
  }
  return {
    scavenges: text.split(': Scavenge ').length - 1,
    markCompacts: text.split(': Mark-Compact ').length - 1,
    markingStarts,
  }
}

/**
 * What started incremental marking between two reads of the log, e.g. `allocation limit ×30`
 * @param {Map<string, number>} before @param {Map<string, number>} after
 */
function markingStartsSince(before, after) {
  const started = [...after].map(([reason, n]) => [reason, n - (before.get(reason) ?? 0)]).filter(([, n]) => n > 0)
  return started.length === 0
    ? ''
    : ` (marking started by ${started.map(([reason, n]) => `${reason} ×${n}`).join(', ')})`
}

const upstream = await start(new URL('../processes/upstream.mjs', import.meta.url).pathname, [], {})
const gcLog = values['gc-log'] ?? join(scratch, 'gc.log')
const callgrind = values.callgrind
const nodeFlags = [...values.node, ...(values['trace-gc'] ? ['--trace-gc', '--trace-incremental-marking'] : [])]
const proxy = await start(
  new URL(`../targets/${target.script}`, import.meta.url).pathname,
  [...(target.args ?? []), ...(values.ws ? ['--ws'] : [])],
  { BENCH_UPSTREAM: `http://127.0.0.1:${upstream.port}` },
  {
    ...(callgrind === undefined
      ? { execArgv: nodeFlags }
      : {
          execPath: 'valgrind',
          execArgv: [
            '--tool=callgrind',
            `--callgrind-out-file=${callgrind}`,
            process.execPath,
            '--predictable',
            ...nodeFlags,
          ],
        }),
    ...(values['trace-gc'] ? { log: gcLog } : {}),
  },
)
try {
  console.log(`${target.id}, ${values.ws ? 'ws-stream' : 'stream'}: ${runs} × ${mib} MiB in one process`)
  await download(proxy.port, MiB)
  if (callgrind !== undefined) {
    await download(proxy.port, mib * MiB)
    execFileSync('callgrind_control', ['-z', String(proxy.pid)], { stdio: 'ignore' })
  }
  for (let run = 1; run <= runs; run++) {
    const rssBefore = readRss(proxy.pid)
    const hwm = resetPeakRss(proxy.pid)
    let peak = rssBefore
    const sampler = setInterval(() => {
      peak = Math.max(peak, readRss(proxy.pid))
    }, RSS_SAMPLE_INTERVAL_MS)
    const gcBefore = values['trace-gc'] ? collections(gcLog) : undefined
    const faults = minorFaults(proxy.pid)
    const cpuBefore = await proxy.cpu()
    const ms = await download(proxy.port, mib * MiB)
    const cpu = await proxy.cpu()
    clearInterval(sampler)
    if (callgrind !== undefined && run === 1) {
      execFileSync('callgrind_control', ['-d', String(proxy.pid)], { stdio: 'ignore' })
      const summary = /^summary: (\d+)$/m.exec(readFileSync(`${callgrind}.1`, 'utf8'))
      if (summary !== null) console.log(`  instructions: ${(Number(summary[1]) / mib / 1e6).toFixed(3)} M per MiB`)
    }
    peak = Math.max(peak, readRss(proxy.pid), hwm ? readRss(proxy.pid, 'VmHWM') : 0)
    const used = cpu.user + cpu.system - cpuBefore.user - cpuBefore.system
    const gc = gcBefore === undefined ? undefined : collections(gcLog)
    console.log(
      `  run ${run}: ${Math.round(used / mib)} CPU µs/MiB (user ${Math.round((cpu.user - cpuBefore.user) / mib)}), ` +
        `${((minorFaults(proxy.pid) - faults) / mib).toFixed(1)} minor faults/MiB, ` +
        `peak RSS +${((peak - rssBefore) / MiB).toFixed(1)} MiB (from ${Math.round(rssBefore / MiB)}), ` +
        `${Math.round(mib / (ms / 1000))} MiB/s` +
        (gc === undefined || gcBefore === undefined
          ? ''
          : `, ${gc.scavenges - gcBefore.scavenges} scavenges, ${gc.markCompacts - gcBefore.markCompacts} mark-compacts` +
            markingStartsSince(gcBefore.markingStarts, gc.markingStarts)),
    )
  }
} finally {
  await proxy.stop()
  await upstream.stop()
  rmSync(scratch, { recursive: true, force: true })
}
