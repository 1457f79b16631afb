import { checkTargets } from './checkTargets.mjs'
import { describeMachine } from './describeMachine.mjs'
import { formatTable } from './formatTable.mjs'
import { packageVersions } from './packageVersions.mjs'

/** The packages whose versions the report names. */
const PACKAGES = [
  'autocannon',
  'undici',
  'express',
  'koa',
  'koa-mount',
  'fastify',
  'http-proxy',
  'http-proxy-middleware',
  'express-http-proxy',
  '@fastify/reply-from',
  '@fastify/http-proxy',
  'koa-proxies',
  'ws',
]

/**
 * The whole report as markdown: when, where and how it ran, a table per case, the targets.
 *
 * @param {import('./checkTargets.mjs').CaseResult[]} results
 * @param {import('../cases/parseBenchOptions.mjs').BenchOptions} options
 * @param {{ started: Date, seconds: number, command: string, loadAverage: [number, number], code: string, plots?: Map<string, string> }} run
 *   plots: per case name, where its plot was written (a path relative to the report, or absolute)
 * @returns {string}
 */
export function formatReport(results, options, { started, seconds, command, loadAverage, code, plots }) {
  const out = [
    '# Benchmark: gateway-middleware and its peers',
    '',
    `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${command}\`, ${(seconds / 60).toFixed(1)} min.`,
    '',
    `- ${code}`,
    ...describeMachine().map((line) => `- ${line}`),
    `- Load average (1 min) at the start: ${loadAverage[0].toFixed(2)}, at the end: ${loadAverage[1].toFixed(2)} (other work on the machine skews the figures)`,
    `- Load: autocannon, ${options.connections} connections, no pipelining; per target and case a ${options.warmup} s ` +
      `warm-up, then ${options.runs} run(s) of ${options.duration} s, taken in rounds across the case's targets; ` +
      'the tables show the median of the runs.',
    `- Stream: ${options.streamBytes / 2 ** 20} MiB per run, ${options.runs} run(s), one node:http client reading as fast as it can.`,
    ...(options.cases.some((c) => c.kind === 'ws' || c.kind === 'ws-stream')
      ? [
          `- WebSocket (\`ws\` clients, no compression): ws, ${options.wsConnections} clients ping-ponging 1 KiB binary ` +
            `messages, the same warm-up, runs and duration as the load; ws-stream, ${options.wsStreamBytes / 2 ** 20} MiB ` +
            'per run in 64 KiB messages over one WebSocket.',
        ]
      : []),
    ...(options.cases.some((c) => c.kind === 'overload')
      ? [
          `- Overload: open loop, ${options.overloadRate} GETs/s for ${options.overloadDuration} s (each sent when due, ` +
            'on a node:http keep-alive agent with a socket free for each, given up by the client after 3 s), one run ' +
            'per target after the warm-up at half the capacity; the upstream works off its queue between targets.',
        ]
      : []),
    `- ${packageVersions(PACKAGES).join(', ')}`,
    '',
    'Upstream (node:http), proxy and load generator each run in their own process, all on 127.0.0.1 and sharing',
    'the machine: compare ratios within one run, not absolute figures across runs or machines.',
  ]
  const ran = new Map(results.flatMap(({ rows }) => rows.map((row) => [row.target.id, row.target])))
  out.push('', 'Targets (each proxy in a process of its own, serving the upstream under `/api`):', '')
  for (const target of ran.values()) out.push(`- \`${target.id}\`: ${target.description}`)
  for (const { benchCase, rows } of results) {
    out.push('', `## ${benchCase.name}: ${benchCase.title}`, '', formatTable(benchCase, rows))
    const plot = plots?.get(benchCase.name)
    if (plot !== undefined) out.push('', `Goodput over time: [${plot}](${plot})`)
  }
  const targets = checkTargets(results)
  if (targets.length > 0) out.push('', '## Targets', '', ...targets.map((line) => `- ${line}`))
  out.push(
    '',
    '## Reading the tables',
    '',
    '- **× direct**: against the upstream without a proxy. **× best peer**: against the fastest peer on the same',
    '  framework (for a peer, against the fastest one, so that one shows 1.00×); the keep-alive variants',
    '  (`-ka`, `new http.Agent({ keepAlive: true })`) are peers of their own, so "fastest" is the faster variant.',
    '- **spread**: half the range of the runs, relative to the median. **CPU**: the target process alone,',
    '  % of one core, during a run (for `direct`, the upstream), and per response (**CPU µs/req**, less',
    '  sensitive than req/s to other work on the machine). **RSS**: that process after the runs.',
    '- **others**: CPU that other work on the machine took during a run (median, % of one core, from',
    "  /proc/stat minus the benchmark's own processes; roughly 0–10 % on a quiet machine): a row with more",
    '  was measured on a busy machine and its ratios are suspect.',
    '- **stream**, **ws-stream**: peak RSS growth is the most the process grew during a run over its RSS just before it',
    '  (sampled every 20 ms from /proc, plus `VmHWM`); the worst run counts.',
    '- **ws**: a round trip is one 1 KiB message to the upstream and its echo back; every client waits for its',
    '  echo before sending again. CPU is read over the measured window alone (not the handshakes); **CPU µs/round',
    "  trip** is the target process's CPU per round trip. Koa has no WebSocket peer (koa-proxies does not proxy",
    '  them), so ours on Koa is compared with the fastest peer of any framework, named in the cell.',
    '- **failure**: each proxy answers in its own way (statuses column); ours runs with `retry: false, circuit: false`',
    '  like the peers, and `ours-*-defaults` with the defaults, where passive health answers 503 without',
    "  connecting. **CPU µs/answer**: the target process's CPU per answer. Sockets: /proc/<pid>/fd entries that",
    '  are sockets, before the load and after it ended.',
    '- **overload**: every proxy gives up on the upstream after 1 s (ours `timeout.headers`, http-proxy-middleware',
    "  `proxyTimeout`, reply-from `headersTimeout`/`bodyTimeout`); `direct` has only the client's 3 s. **goodput**:",
    '  2xx answered within 1 s of when the request was due, per second of arrivals; **× capacity**: over the',
    "  upstream's 320/s. **good p50/p99**: of those alone. **late 2xx**: answered after 1 s (work done for nobody).",
    "  **errors**: no answer (`timeout`: the client's 3 s). The plot shows good answers/s per 500 ms of completion time.",
  )
  return `${out.join('\n')}\n`
}
