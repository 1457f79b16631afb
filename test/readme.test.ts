import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const root = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', root), 'utf8')
const examples = readdirSync(new URL('examples/', root)).map((name) =>
  readFileSync(new URL(`examples/${name}`, root), 'utf8'),
)
const migrating = readFileSync(new URL('docs/migrating.md', root), 'utf8')
const tsBlocks = (text: string) => [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string)
const blocks = tsBlocks(readme)

describe('README', () => {
  it('has TypeScript examples', () => {
    expect(blocks.length).toBeGreaterThan(0)
  })

  it.each(blocks.map((block) => [block.split('\n').find((line) => line.includes('gateway')) ?? block, block]))(
    'example "%s" is a type-checked file in examples/',
    (_title, block) => {
      expect(examples).toContain(block)
    },
  )

  it('has no merge-conflict markers left (here or in the migration guide)', () => {
    for (const text of [readme, migrating]) expect(text).not.toMatch(/^(<{7}|={7}|>{7})( |$)/m)
  })

  it('links the migration guide', () => {
    expect(readme).toContain('(docs/migrating.md)')
  })

  it('shows the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm test')
  })
})

describe('docs/migrating.md', () => {
  const guide = tsBlocks(migrating)

  it('has an example for each peer', () => {
    expect(guide.length).toBeGreaterThanOrEqual(4)
  })

  it.each(guide.map((block) => [block.split('\n').find((line) => line.startsWith('// was:')) ?? block, block]))(
    'example "%s" is a type-checked file in examples/',
    (_title, block) => {
      expect(examples).toContain(block)
    },
  )
})
