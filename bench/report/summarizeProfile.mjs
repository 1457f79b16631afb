// node bench/report/summarizeProfile.mjs <file.cpuprofile>… [--top N] [--callers NAME]
// Self time of a V8 CPU profile (from `npm run bench -- --cpu-prof`), by package and by function:
// where a proxy process spends its time, ours (packages/*/dist) and undici first. --callers NAME
// adds the call paths (four frames up) that lead to the functions named NAME, by their self time.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'

/** Functions listed per table unless --top says otherwise. */
const DEFAULT_TOP = 15

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, callers: { type: 'string', multiple: true } },
})
const top = Number(values.top ?? DEFAULT_TOP)
if (positionals.length === 0) {
  console.error('usage: node bench/report/summarizeProfile.mjs <file.cpuprofile>… [--top N] [--callers NAME]')
  process.exitCode = 1
}
for (const file of positionals) console.log(summarize(file, top, values.callers ?? []))

/**
 * @param {string} file @param {number} top @param {string[]} callersOf function names
 * @returns {string} markdown
 */
function summarize(file, top, callersOf) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  /** @type {Map<number, number>} self time per node, µs */
  const self = new Map()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...self.values()].reduce((sum, time) => sum + time, 0)
  /** @type {Map<number, number>} self time plus the callees', per node, µs */
  const inclusive = new Map()
  const sum = (node) => {
    let time = self.get(node.id) ?? 0
    for (const child of node.children ?? []) time += sum(nodes.get(child))
    inclusive.set(node.id, time)
    return time
  }
  sum(profile.nodes[0])
  /** @type {Map<string, { name: string, where: string, owner: string, time: number, total: number }>} */
  const functions = new Map()
  /** @type {Map<string, number>} */
  const owners = new Map()
  for (const [id, node] of nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const owner = ownerOf(url, functionName)
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : ''
    const key = `${functionName}@${where}`
    const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where, owner, time: 0, total: 0 }
    const time = self.get(id) ?? 0
    entry.time += time
    entry.total += inclusive.get(id) ?? 0
    functions.set(key, entry)
    owners.set(owner, (owners.get(owner) ?? 0) + time)
  }
  const idle = owners.get('(idle)') ?? 0
  const busy = total - idle
  owners.delete('(idle)')
  const pct = (time) => `${((time / busy) * 100).toFixed(1)} %`
  const sorted = [...functions.values()].sort((a, b) => b.time - a.time)
  const list = (entries) =>
    entries.slice(0, top).map((f) => `| ${pct(f.time)} | ${pct(f.total)} | ${f.owner} | ${f.name} | ${f.where} |`)
  const head = ['| self | with callees | package | function | where |', '| ---: | ---: | --- | --- | --- |']
  /** @type {Map<number, number>} */
  const parents = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const callers = callersOf.flatMap((name) => {
    /** @type {Map<string, number>} */
    const paths = new Map()
    for (const [id, node] of nodes) {
      if (node.callFrame.functionName !== name || !self.get(id)) continue
      const frames = []
      for (let up = parents.get(id); up !== undefined && frames.length < 4; up = parents.get(up)) {
        const { functionName, url, lineNumber } = nodes.get(up).callFrame
        frames.push(`${functionName || '(anonymous)'} (${shorten(url)}:${lineNumber + 1})`)
      }
      const path = frames.join(' ← ')
      paths.set(path, (paths.get(path) ?? 0) + (self.get(id) ?? 0))
    }
    return [
      '',
      `Callers of ${name}, by its self time:`,
      '',
      '| self | called from (nearest first) |',
      '| ---: | --- |',
      ...[...paths.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([path, time]) => `| ${pct(time)} | ${path} |`),
    ]
  })
  return [
    `## ${basename(file)}`,
    '',
    `${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s of them busy; every % below is of the busy time.`,
    '',
    "Self time by package (Node's own code by module):",
    '',
    '| self | package |',
    '| ---: | --- |',
    ...[...owners.entries()]
      .sort((a, b) => b[1] - a[1])
      .filter(([, time]) => time / busy >= 0.002)
      .map(([owner, time]) => `| ${pct(time)} | ${owner} |`),
    '',
    `Top ${top} functions by self time:`,
    '',
    ...head,
    ...list(sorted.filter((f) => f.owner !== '(idle)')),
    '',
    'Ours (packages/*/dist), by self time:',
    '',
    ...head,
    ...list(sorted.filter((f) => f.owner.startsWith('ours'))),
    '',
    'Ours, by time with callees (what each of our functions costs, undici and Node included):',
    '',
    ...head,
    ...list([...sorted].sort((a, b) => b.total - a.total).filter((f) => f.owner.startsWith('ours'))),
    '',
    'undici:',
    '',
    ...head,
    ...list(sorted.filter((f) => f.owner === 'undici')),
    ...callers,
    '',
  ].join('\n')
}

/**
 * Who a function belongs to: ours (by package), a package in node_modules, Node's own code, or V8.
 *
 * @param {string} url @param {string} name
 * @returns {string}
 */
function ownerOf(url, name) {
  if (url === '') return name === '(idle)' || name === '(program)' || name === '(garbage collector)' ? name : '(native)'
  const ours = /\/packages\/([^/]+)\/dist\//.exec(url)
  if (ours) return `ours: ${ours[1]}`
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/g
  let last
  for (let match = modules.exec(url); match !== null; match = modules.exec(url)) last = match[1]
  if (last) return last
  if (url.startsWith('node:')) return url
  return shorten(url)
}

/** @param {string} url */
function shorten(url) {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/packages\//, 'packages/')
}
