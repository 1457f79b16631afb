import { readFileSync } from 'node:fs'
import { gatewayPlugin } from '@gateway-middleware/fastify'
import { describe, expect, it } from 'vitest'

type Manifest = { devDependencies: Record<string, string>; peerDependencies: Record<string, string> }
const manifest = (path: string) => JSON.parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')) as Manifest
const root = manifest('package.json').devDependencies

/** The range of a root devDependency, an npm alias (`npm:express@^4.22.3`) or not. */
function installed(name: string): string {
  const range = root[name]
  if (range === undefined) throw new Error(`no devDependency ${name}`)
  return range.replace(/^npm:(@[^/@]+\/)?[^@]+@/, '')
}

describe('supported framework versions', () => {
  it.each([
    ['express', 'packages/express/package.json', ['express4', 'express']],
    ['koa', 'packages/koa/package.json', ['koa2', 'koa']],
    ['fastify', 'packages/fastify/package.json', ['fastify']],
  ])(
    'the %s peer range is exactly the installs the contract suites run, oldest major first',
    (name, path, installs) => {
      expect(manifest(path).peerDependencies[name]).toBe(installs.map(installed).join(' || '))
    },
  )

  it("the Fastify plugin's fastify-plugin metadata is its peer range", () => {
    const meta = (gatewayPlugin as unknown as Record<symbol, { fastify?: string }>)[Symbol.for('plugin-meta')]
    expect(meta?.fastify).toBe(manifest('packages/fastify/package.json').peerDependencies.fastify)
  })
})
