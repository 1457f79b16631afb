import { fork } from 'node:child_process'
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** How long a child may take to listen, in ms. */
const START_TIMEOUT_MS = 15_000
/** How long a child may take to exit after `stop`, in ms, before it is killed. */
const STOP_TIMEOUT_MS = 5_000
/** Bytes of a failed child's output shown in the error. */
const LOG_TAIL_BYTES = 2_000

/** Every child still running, for {@link stopAllChildren}. @type {Set<Child>} */
const running = new Set()

/**
 * @typedef {object} Child
 * @property {number} pid
 * @property {string} origin `http://127.0.0.1:<port>`
 * @property {() => Promise<{ cpu: NodeJS.CpuUsage, rss: number, at: number }>} stats CPU time and RSS of the child alone
 * @property {() => Promise<void>} stop ask it to exit (which writes a `--cpu-prof` profile), kill it if it does not
 */

/**
 * Fork a benchmark process (the upstream or one target) and wait until it listens. Its output
 * goes to a log file (a proxy logging errors pays for it, the load generator does not) that is
 * shown when it fails to start and removed when it stops.
 *
 * @param {string} script absolute path of the script
 * @param {{ name: string, args?: string[], env?: Record<string, string>, execArgv?: string[] }} options
 * @returns {Promise<Child>}
 */
export async function startChild(script, { name, args = [], env = {}, execArgv = [] }) {
  const log = join(tmpdir(), `gateway-bench-${process.pid}-${name}.log`)
  const fd = openSync(log, 'w')
  const child = fork(script, args, {
    env: { ...process.env, NODE_ENV: 'production', ...env },
    execArgv,
    stdio: ['ignore', fd, fd, 'ipc'],
  })
  closeSync(fd)
  let nextId = 0
  /** @type {Map<number, (stats: any) => void>} */
  const pending = new Map()
  child.on('message', (message) => {
    if (message?.type === 'stats')
      pending.get(message.id)?.({ cpu: message.cpu, rss: message.rss, at: performance.now() })
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))

  /** @type {Child} */
  const handle = {
    pid: /** @type {number} */ (child.pid),
    origin: '',
    stats: () =>
      new Promise((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => reject(new Error(`${name} did not answer a stats request`)), START_TIMEOUT_MS)
        pending.set(id, (stats) => {
          clearTimeout(timer)
          pending.delete(id)
          resolve(stats)
        })
        child.send({ type: 'stats', id })
      }),
    stop: async () => {
      running.delete(handle)
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ type: 'stop' })
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
        await exited
        clearTimeout(timer)
      }
      rmSync(log, { force: true })
    },
  }
  running.add(handle)

  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      )
      child.on('message', (message) => {
        if (message?.type !== 'ready') return
        clearTimeout(timer)
        resolve(message.port)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`${name} exited before listening (${signal ?? `code ${code}`})`))
      })
    })
    handle.origin = `http://127.0.0.1:${port}`
    return handle
  } catch (error) {
    const output = readFileSync(log, 'utf8').slice(-LOG_TAIL_BYTES)
    await handle.stop()
    throw new Error(`${/** @type {Error} */ (error).message}${output ? `; its output:\n${output}` : ''}`)
  }
}

/** Stop every child still running (at the end, on Ctrl-C, on errors). */
export async function stopAllChildren() {
  await Promise.all([...running].map((child) => child.stop()))
}
