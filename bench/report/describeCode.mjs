import { execFileSync } from 'node:child_process'

/**
 * The code measured, for the report's header: the commit, and whether packages/ had uncommitted
 * changes (the targets load packages/*\/dist, built by `npm run bench` from the working tree).
 *
 * @returns {string}
 */
export function describeCode() {
  const root = new URL('../..', import.meta.url).pathname
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
    const commit = git('log', '-1', '--format=%h %s')
    const dirty = git('status', '--porcelain', '--', 'packages') !== ''
    return `Code: ${commit}${dirty ? ' (plus uncommitted changes in packages/)' : ''}`
  } catch {
    return 'Code: not a git checkout'
  }
}
