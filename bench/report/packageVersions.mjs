import { readFileSync } from 'node:fs'

/**
 * The installed versions of some packages, read from the root node_modules.
 *
 * @param {string[]} names
 * @returns {string[]} `name@version`
 */
export function packageVersions(names) {
  return names.map((name) => {
    try {
      const manifest = new URL(`../../node_modules/${name}/package.json`, import.meta.url)
      return `${name}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`
    } catch {
      return `${name}@?`
    }
  })
}
