import { renderDefaultPage, shownTime } from './defaultErrorPage.js'
import type { ErrorPageType } from './ErrorPages.js'
import { escapeHtml } from './escapeHtml.js'

/** What a default page is about, apart from the request: fixed per failure kind, or per replaced upstream status. */
export interface DefaultPageSubject {
  readonly status: number
  readonly title: string
  readonly detail: string
  /** The failure kind; empty for a replaced upstream response. */
  readonly code: string
  /** The upstream's status, when the page replaces its response. */
  readonly received?: number | undefined
}

/** Marks rendered in place of the values that change per answer (private-use characters: no escaping touches them). */
const REQUEST_ID = '\uE000'
const TIME = '\uE001'
const SHOWN_TIME = '\uE002'
const MARK = /[\uE000-\uE002]/g

/** A rendered page, split around the places of the request id and the time. */
interface Pieces {
  /** One more than `slots`: the bytes before the first slot, between two, after the last. */
  readonly literals: readonly Buffer[]
  readonly slots: readonly string[]
  /** The literals' bytes together. */
  readonly fixed: number
}

/**
 * The default pages, each rendered once per type and failure kind (or replaced upstream status),
 * the first time it is needed, and kept as a few fixed byte pieces around the request id and the
 * time, which are all that change from one answer to the next. An answer is then one buffer the
 * size of the page, the pieces copied in: no template, no escaping of fixed text, no UTF-8 encoding
 * of the whole page (measured with `AcceptTypes`, a refused connection's HTML answer from
 * `errorResponse`: 27–33 µs -> 5–6 µs). The bytes are exactly
 * `defaultErrorPage`'s. The cache is bounded by the failure table: at most 4 types × (kinds + 3
 * upstream statuses) entries.
 */
export class DefaultPages {
  private readonly byType = new Map<ErrorPageType, Map<string, Pieces>>()

  /**
   * The page for `subject` in `type`, for the request `requestId` answered at `time`
   * (`2026-11-25T12:34:56Z`, generated: nothing in it needs escaping).
   */
  render(type: ErrorPageType, subject: DefaultPageSubject, requestId: string, time: string): Buffer {
    let pages = this.byType.get(type)
    if (pages === undefined) {
      pages = new Map()
      this.byType.set(type, pages)
    }
    // the kind fixes status, title and detail; a replaced upstream response has no kind, and its status fixes them
    const key = subject.code === '' ? String(subject.status) : subject.code
    let pieces = pages.get(key)
    if (pieces === undefined) {
      pieces = split(type, subject)
      pages.set(key, pieces)
    }
    return fill(pieces, escapedId(type, requestId), time)
  }
}

function split(type: ErrorPageType, subject: DefaultPageSubject): Pieces {
  const page = renderDefaultPage(
    type,
    {
      status: String(subject.status),
      title: subject.title,
      detail: subject.detail,
      requestId: REQUEST_ID,
      time: TIME,
      code: subject.code,
    },
    subject.received,
    SHOWN_TIME,
  )
  const literals: Buffer[] = []
  const slots: string[] = []
  let last = 0
  for (const match of page.matchAll(MARK)) {
    literals.push(Buffer.from(page.slice(last, match.index)))
    slots.push(match[0])
    last = match.index + 1
  }
  literals.push(Buffer.from(page.slice(last)))
  return { literals, slots, fixed: literals.reduce((sum, literal) => sum + literal.length, 0) }
}

/** The request id as the page's type escapes it (a safe token or a UUID, so mostly as it is). */
function escapedId(type: ErrorPageType, requestId: string): string {
  if (type === 'text/html') return escapeHtml(requestId)
  if (type === 'text/plain') return requestId
  return JSON.stringify(requestId).slice(1, -1)
}

function fill(pieces: Pieces, requestId: string, time: string): Buffer {
  const { literals, slots } = pieces
  const shown = slots.includes(SHOWN_TIME) ? shownTime(time) : ''
  let length = pieces.fixed
  for (const slot of slots) length += Buffer.byteLength(slotValue(slot, requestId, time, shown))
  // every byte is written below: the lengths are counted in UTF-8, as written
  const body = Buffer.allocUnsafe(length)
  let at = (literals[0] as Buffer).copy(body, 0)
  for (let i = 0; i < slots.length; i++) {
    at += body.write(slotValue(slots[i] as string, requestId, time, shown), at)
    at += (literals[i + 1] as Buffer).copy(body, at)
  }
  return body
}

function slotValue(slot: string, requestId: string, time: string, shown: string): string {
  return slot === REQUEST_ID ? requestId : slot === TIME ? time : shown
}
