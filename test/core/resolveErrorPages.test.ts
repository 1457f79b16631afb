import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveErrorPages } from '~core/error-pages/resolveErrorPages.js'
import { createGateway } from '~core/gateway/createGateway.js'
import { resolveOptions } from '~core/options/resolveOptions.js'

const dir = mkdtempSync(join(tmpdir(), 'gateway-pages-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('resolveErrorPages', () => {
  it('defaults: HTML first, no pages, no Retry-After on 504', () => {
    const pages = resolveErrorPages(undefined)
    expect(pages.offers).toEqual(['text/html', 'application/problem+json', 'application/json', 'text/plain'])
    expect(pages.pages.size).toBe(0)
    expect(pages.timeoutRetryAfter).toBeUndefined()
    expect(pages.replaceUpstream.size).toBe(0)
  })

  it('replaceUpstream: true means 502, 503 and 504; a list names some; false none', () => {
    expect([...resolveErrorPages({ replaceUpstream: true }).replaceUpstream].sort()).toEqual([502, 503, 504])
    expect([...resolveErrorPages({ replaceUpstream: [503] }).replaceUpstream]).toEqual([503])
    expect(resolveErrorPages({ replaceUpstream: false }).replaceUpstream.size).toBe(0)
  })

  it('defaultType goes first among the offers', () => {
    expect(resolveErrorPages({ defaultType: 'text/plain' }).offers).toEqual([
      'text/plain',
      'text/html',
      'application/problem+json',
      'application/json',
    ])
  })

  it('accepts statuses, failure kinds, files and functions', () => {
    const file = join(dir, 'page.html')
    writeFileSync(file, '<p>{{code}}</p>')
    const pages = resolveErrorPages({
      502: '<p>{{status}}</p>',
      504: { file },
      connection_refused: () => undefined,
      timeoutRetryAfter: 10,
    })
    expect([...pages.pages.keys()].sort()).toEqual(['502', '504', 'connection_refused'])
    expect(pages.pages.get('504')?.template?.({ code: 'x' } as never)).toBe('<p>x</p>')
    expect(pages.timeoutRetryAfter).toBe(10)
  })

  it.each([
    [[], /option "errorPages" expected an object/],
    [{ 500: '<p>x</p>' }, /option "errorPages\.500" expected a status \(502, 503, 504\), a failure kind/],
    [{ connection_refusd: '<p>x</p>' }, /option "errorPages\.connection_refusd"/],
    [{ 502: 42 }, /option "errorPages\.502" expected an HTML template string, \{ file: path \} or a function .*got 42/],
    [{ 502: { path: 'x.html' } }, /option "errorPages\.502" expected .*got an object/],
    [{ 502: { file: 'x.html', extra: 1 } }, /option "errorPages\.502" expected/],
    [{ 502: '{{nope}}' }, /option "errorPages\.502" expected placeholders among/],
    [{ defaultType: 'text/xml' }, /option "errorPages\.defaultType" expected one of 'text\/html'.*got "text\/xml"/],
    [{ timeoutRetryAfter: -1 }, /option "errorPages\.timeoutRetryAfter" expected a whole number of seconds/],
    [{ timeoutRetryAfter: '5' }, /option "errorPages\.timeoutRetryAfter"/],
    [
      { replaceUpstream: [500] },
      /option "errorPages\.replaceUpstream" expected true, false or a list of statuses among 502, 503, 504, got an array/,
    ],
    [{ replaceUpstream: ['503'] }, /option "errorPages\.replaceUpstream" expected/],
    [{ replaceUpstream: 'yes' }, /option "errorPages\.replaceUpstream" expected .*got "yes"/],
  ])('%j throws a TypeError naming the option', (value, message) => {
    expect(() => resolveErrorPages(value)).toThrow(TypeError)
    expect(() => resolveErrorPages(value)).toThrow(message)
  })

  it('a missing file throws at setup, naming the option and the file', () => {
    const missing = join(dir, 'missing.html')
    expect(() => resolveOptions({ target: 'http://127.0.0.1:1', errorPages: { 503: { file: missing } } })).toThrow(
      `option "errorPages.503.file" expected a readable file (ENOENT), got ${JSON.stringify(missing)}`,
    )
  })

  it('is part of the gateway options (a misspelled top-level key is still caught)', async () => {
    expect(() => resolveOptions({ errorPage: {} } as never)).toThrow(/option "errorPage" expected one of .*errorPages/)
    const gateway = createGateway({ target: 'http://127.0.0.1:1', errorPages: { 502: '<p>x</p>' } })
    expect(gateway.options.errorPages.pages.has('502')).toBe(true)
    await gateway.close()
  })
})
