import { mkdirSync } from 'node:fs'
import { startChild } from './startChild.mjs'

/**
 * @typedef {object} Running
 * @property {string} origin where to send the load
 * @property {number} pid the process whose CPU, RSS and sockets are reported (the upstream for `direct`)
 * @property {import('./startChild.mjs').Child['stats']} stats
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} TargetContext
 * @property {import('./startChild.mjs').Child} upstream
 * @property {string} refusedOrigin an origin nothing listens on, for the failure case
 * @property {string | undefined} profileDir where `--cpu-prof` profiles go, when profiling
 */

/**
 * Start one target for one case in a process of its own (`direct` is the upstream, already
 * running). The failure case points it at the refused origin; ours gets the case's
 * `gatewayOptions` unless the target keeps the defaults; the script gets the target's arguments,
 * then the case's `targetArgs`.
 *
 * @param {import('../cases/targets.mjs').Target} target
 * @param {import('../cases/cases.mjs').Case} benchCase
 * @param {TargetContext} context
 * @returns {Promise<Running>}
 */
export async function startTarget(target, benchCase, { upstream, refusedOrigin, profileDir }) {
  if (target.script === undefined) {
    return { origin: upstream.origin, pid: upstream.pid, stats: upstream.stats, stop: async () => {} }
  }
  const name = `${benchCase.name}-${target.id}`
  /** @type {string[]} */
  const execArgv = []
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true })
    execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.cpuprofile`)
  }
  return startChild(new URL(`../targets/${target.script}`, import.meta.url).pathname, {
    name,
    args: [...(target.args ?? []), ...(benchCase.targetArgs ?? [])],
    execArgv,
    env: {
      BENCH_UPSTREAM: benchCase.kind === 'failure' ? refusedOrigin : upstream.origin,
      BENCH_GATEWAY_OPTIONS: JSON.stringify(target.keepDefaults ? {} : (benchCase.gatewayOptions ?? {})),
    },
  })
}
