import { describe, expect, it } from 'vitest'
import { defaultErrorPage } from '~core/error-pages/defaultErrorPage.js'
import { ERROR_PAGE_TYPES } from '~core/error-pages/negotiateType.js'
import { FAILURES, type FailureCode, proxyStatusType } from '~core/errors/failures.js'
import { expectNoLeak } from '../contract/harness.js'

const values = (code: FailureCode, requestId = 'r-1') => ({
  status: String(FAILURES[code].status),
  title: FAILURES[code].title,
  detail: FAILURES[code].summary,
  requestId,
  time: '2026-11-25T12:00:00Z',
  code,
})

describe('defaultErrorPage', () => {
  it.each(
    (Object.keys(FAILURES) as FailureCode[]).flatMap((code) => ERROR_PAGE_TYPES.map((type) => [code, type] as const)),
  )('%s as %s: names the failure and the request id, leaks nothing', (code, type) => {
    const page = defaultErrorPage(type, values(code))
    expect(page).toContain('r-1')
    // JSON carries the RFC 9209 type, which for the client's own failures is http_request_error
    expect(page).toContain(type.includes('json') ? proxyStatusType(code) : code)
    expectNoLeak(page)
  })

  it('HTML: the hop that failed, per status', () => {
    const hops = (code: FailureCode) =>
      defaultErrorPage('text/html', values(code))
        .match(/<li class="(\w+)">.*?<span class="name">(\w+)<\/span><span class="state">([\w ]+)<\/span>/g)
        ?.map((li) =>
          li
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        )
    expect(hops('connection_refused')).toEqual(['✓ You Working', '✓ Gateway Working', '✗ Service Failed'])
    expect(hops('http_response_timeout')).toEqual(['✓ You Working', '✓ Gateway Working', '✗ Service Timed out'])
    expect(hops('destination_unavailable')).toEqual(['✓ You Working', '✓ Gateway Working', '✗ Service Unavailable'])
    expect(hops('proxy_internal_error')).toEqual(['✓ You Working', '✗ Gateway Failed', '– Service Not reached'])
    expect(hops('request_host_invalid')).toEqual(['✗ You Malformed', '✓ Gateway Working', '– Service Not reached'])
    expect(hops('request_method_not_allowed')).toEqual(['✗ You Refused', '✓ Gateway Working', '– Service Not reached'])
  })

  it('HTML: plain words for each status', () => {
    expect(defaultErrorPage('text/html', values('connection_refused'))).toContain(
      'The server acting as a gateway got an invalid response from the service behind it.',
    )
    expect(defaultErrorPage('text/html', values('http_response_timeout'))).toContain('did not get an answer in time')
    expect(defaultErrorPage('text/html', values('destination_unavailable'))).toContain('temporarily unavailable')
    expect(defaultErrorPage('text/html', values('request_host_invalid'))).toContain('The request was malformed')
    expect(defaultErrorPage('text/html', values('request_method_not_allowed'))).toContain(
      'does not pass requests with this method on',
    )
  })

  it('a refused request is not one to reload: the same request gets the same answer', () => {
    for (const code of ['request_host_invalid', 'request_method_not_allowed'] as const) {
      for (const type of ['text/html', 'text/plain'] as const) {
        const page = defaultErrorPage(type, values(code))
        expect(page).toContain('Sending the same request again will not help.')
        expect(page).not.toMatch(/Reload/)
      }
    }
  })

  it('problem details are valid JSON with the RFC 9457 members', () => {
    expect(JSON.parse(defaultErrorPage('application/problem+json', values('http_response_timeout')))).toEqual({
      type: 'about:blank',
      title: 'Gateway Timeout',
      status: 504,
      detail: 'The upstream server did not answer in time.',
      requestId: 'r-1',
      proxyStatus: 'http_response_timeout',
    })
  })
})
