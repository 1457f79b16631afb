import { describe, expect, it } from 'vitest'
import { answerTime } from '~core/error-pages/answerTime.js'
import { type DefaultPageSubject, DefaultPages } from '~core/error-pages/DefaultPages.js'
import { defaultErrorPage } from '~core/error-pages/defaultErrorPage.js'
import { ERROR_PAGE_TYPES } from '~core/error-pages/negotiateType.js'
import { FAILURES, type FailureCode } from '~core/errors/failures.js'

const failure = (code: FailureCode): DefaultPageSubject => ({
  status: FAILURES[code].status,
  title: FAILURES[code].title,
  detail: FAILURES[code].summary,
  code,
})
const replaced: DefaultPageSubject = {
  status: 503,
  title: 'Service Unavailable',
  detail: 'The service behind the gateway answered with status 503.',
  code: '',
  received: 503,
}

/** The page as rendered for one answer, uncached: what the cache must reproduce byte for byte. */
function rendered(type: (typeof ERROR_PAGE_TYPES)[number], subject: DefaultPageSubject, id: string, time: string) {
  const values = { ...subject, status: String(subject.status), requestId: id, time }
  return Buffer.from(defaultErrorPage(type, values, subject.received))
}

describe('DefaultPages', () => {
  it.each(
    [...(Object.keys(FAILURES) as FailureCode[]).map(failure), replaced].flatMap((subject) =>
      ERROR_PAGE_TYPES.map((type) => [subject.code || 'replaced 503', type, subject] as const),
    ),
  )('%s as %s: the same bytes as rendering it, for each answer', (_name, type, subject) => {
    const pages = new DefaultPages()
    for (const [id, time] of [
      ['r-1', '2026-11-25T12:00:00Z'],
      ['0b9e3c1e-5b1f-4c57-9d63-3c2b4a8e9f10', '2026-11-25T12:00:01Z'],
      // the cache's own marks, and what HTML and JSON escape, arrive as text, never as a slot
      ['a&b<c>"d\'\\\uE000\uE001', '2026-11-25T23:59:59Z'],
    ]) {
      expect(pages.render(type, subject, id as string, time as string)).toEqual(
        rendered(type, subject, id as string, time as string),
      )
    }
  })

  it("a cached page never shows another answer's request id or time", () => {
    const pages = new DefaultPages()
    const subject = failure('connection_refused')
    const first = pages.render('text/html', subject, 'first-id', '2026-11-25T12:00:00Z').toString()
    const second = pages.render('text/html', subject, 'second-id', '2026-11-25T12:00:09Z').toString()
    expect(first).toContain('first-id')
    expect(second).toContain('second-id')
    expect(second).not.toContain('first-id')
    expect(second).not.toContain('12:00:00')
    expect(second).toContain('<time datetime="2026-11-25T12:00:09Z">2026-11-25 12:00:09</time>')
  })

  it('answerTime: UTC to the second, as the pages give it', () => {
    expect(answerTime(Date.UTC(2026, 10, 25, 12, 34, 56, 789))).toBe('2026-11-25T12:34:56Z')
    expect(answerTime(Date.UTC(2026, 10, 25, 12, 34, 57, 1))).toBe('2026-11-25T12:34:57Z')
    expect(answerTime()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })
})
