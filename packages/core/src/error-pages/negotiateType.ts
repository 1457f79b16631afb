import Negotiator from 'negotiator'
import type { ErrorPageType } from './ErrorPages.js'

/** Every type the gateway offers, in the order that breaks ties after the default. */
export const ERROR_PAGE_TYPES: readonly ErrorPageType[] = Object.freeze([
  'text/html',
  'application/problem+json',
  'application/json',
  'text/plain',
])

const OFFERED: ReadonlySet<string> = new Set(ERROR_PAGE_TYPES)

/**
 * The type to answer a failure in, negotiated from `Accept` by `negotiator` over `offers` (the
 * default type first, so `*\/*` and ties pick it). A `+json` type the client prefers (such as
 * `application/vnd.api+json`) is offered too and answered as `application/problem+json`. No
 * `Accept`, or nothing acceptable, gets the default: an error page is never refused with 406.
 */
export function negotiateType(accept: string | undefined, offers: readonly ErrorPageType[]): ErrorPageType {
  const fallback = offers[0] as ErrorPageType
  if (accept === undefined || accept.trim() === '') return fallback
  const negotiator = new Negotiator({ headers: { accept } })
  let available: readonly string[] = offers
  if (accept.includes('+json')) {
    const suffixed = negotiator.mediaTypes().filter((type) => type.endsWith('+json') && !OFFERED.has(type))
    if (suffixed.length > 0) available = [...offers, ...suffixed]
  }
  const chosen = negotiator.mediaType(available)
  if (chosen === undefined) return fallback
  return OFFERED.has(chosen) ? (chosen as ErrorPageType) : 'application/problem+json'
}
