import { readFileSync } from 'node:fs'
import { isFailureCode } from '../errors/failures.js'
import { optionError } from '../errors/optionError.js'
import { AcceptTypes } from './AcceptTypes.js'
import { compileTemplate, type TemplateValues } from './compileTemplate.js'
import { DefaultPages } from './DefaultPages.js'
import type { ErrorPageRenderer, ErrorPageType } from './ErrorPages.js'
import { DEFAULT_ERROR_PAGE_TYPE } from './errorPageDefaults.js'
import { ERROR_PAGE_TYPES } from './negotiateType.js'

/** One custom page, ready to use: a compiled template (HTML) or the user's function. */
export type ResolvedErrorPage =
  | { readonly key: string; readonly template: (values: TemplateValues) => string; readonly render?: undefined }
  | { readonly key: string; readonly template?: undefined; readonly render: ErrorPageRenderer }

/** The `errorPages` option, resolved once at setup. */
export interface ResolvedErrorPages {
  /** The offered types for negotiation, the default one first. */
  readonly offers: readonly ErrorPageType[]
  /** The negotiated type by `Accept` value, over `offers`. */
  readonly types: AcceptTypes
  /** The default pages, rendered once each. */
  readonly defaults: DefaultPages
  /** Seconds for `Retry-After` on the gateway's 504s, when configured. */
  readonly timeoutRetryAfter: number | undefined
  /** The upstream statuses answered with the gateway's page instead of passed through. */
  readonly replaceUpstream: ReadonlySet<number>
  /** Custom pages by failure kind or status (`'502'`). */
  readonly pages: ReadonlyMap<string, ResolvedErrorPage>
}

const STATUS_KEYS: ReadonlySet<string> = new Set(['502', '503', '504'])
const SETTINGS = ['defaultType', 'timeoutRetryAfter', 'replaceUpstream'] as const
const EXPECTED_PAGE = 'an HTML template string, { file: path } or a function (error, request) => page'

/**
 * Validate the `errorPages` option and prepare every page once: templates parsed, files read and
 * parsed. Throws a `TypeError` naming the option, what it expected and what it got.
 */
export function resolveErrorPages(value: unknown): ResolvedErrorPages {
  if (value === undefined) value = {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError('errorPages', 'an object keyed by status (502, 503, 504) or failure kind', value)
  }
  const input = value as Record<string, unknown>
  const defaultType = input.defaultType ?? DEFAULT_ERROR_PAGE_TYPE
  if (!ERROR_PAGE_TYPES.includes(defaultType as ErrorPageType)) {
    throw optionError(
      'errorPages.defaultType',
      `one of ${ERROR_PAGE_TYPES.map((t) => `'${t}'`).join(', ')}`,
      defaultType,
    )
  }
  const retryAfter = input.timeoutRetryAfter
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw optionError('errorPages.timeoutRetryAfter', 'a whole number of seconds ≥ 0', retryAfter)
  }
  const replaceUpstream = resolveReplaceUpstream(input.replaceUpstream)
  const pages = new Map<string, ResolvedErrorPage>()
  for (const [key, page] of Object.entries(input)) {
    if ((SETTINGS as readonly string[]).includes(key)) continue
    const name = `errorPages.${key}`
    if (!STATUS_KEYS.has(key) && !isFailureCode(key)) {
      throw optionError(
        name,
        `a status (502, 503, 504), a failure kind such as connection_refused, ${SETTINGS.join(' or ')}`,
        page,
      )
    }
    pages.set(key, resolvePage(page, name, key))
  }
  const offers: readonly ErrorPageType[] = Object.freeze([
    defaultType as ErrorPageType,
    ...ERROR_PAGE_TYPES.filter((type) => type !== defaultType),
  ])
  return Object.freeze({
    offers,
    types: new AcceptTypes(offers),
    defaults: new DefaultPages(),
    timeoutRetryAfter: retryAfter as number | undefined,
    replaceUpstream,
    pages,
  })
}

function resolveReplaceUpstream(value: unknown): ReadonlySet<number> {
  if (value === undefined || value === false) return new Set()
  if (value === true) return new Set([502, 503, 504])
  if (Array.isArray(value) && value.every((status) => STATUS_KEYS.has(String(status)) && typeof status === 'number')) {
    return new Set(value as number[])
  }
  throw optionError('errorPages.replaceUpstream', 'true, false or a list of statuses among 502, 503, 504', value)
}

function resolvePage(page: unknown, name: string, key: string): ResolvedErrorPage {
  if (typeof page === 'string') return Object.freeze({ key, template: compileTemplate(page, name) })
  if (typeof page === 'function') return Object.freeze({ key, render: page as ErrorPageRenderer })
  if (typeof page !== 'object' || page === null || Array.isArray(page)) throw optionError(name, EXPECTED_PAGE, page)
  const keys = Object.keys(page)
  const file = (page as { file?: unknown }).file
  if (keys.length !== 1 || typeof file !== 'string' || file === '') throw optionError(name, EXPECTED_PAGE, page)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw optionError(
      `${name}.file`,
      `a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      file,
    )
  }
  return Object.freeze({ key, template: compileTemplate(text, `${name}.file`) })
}
