import type { ErrorPageType } from './ErrorPages.js'
import { ACCEPT_CACHE_ENTRIES, ACCEPT_CACHE_KEY_LENGTH } from './errorPageDefaults.js'
import { negotiateType } from './negotiateType.js'

/**
 * {@link negotiateType} over one gateway's offers, remembered by the raw `Accept` value: clients
 * send a handful of distinct values (a browser's, curl's `*\/*`, an API client's), and negotiating
 * one takes `negotiator` several µs (parsing, sorting, matching each offer). Bounded, since
 * `Accept` is the client's to choose: at most {@link ACCEPT_CACHE_ENTRIES} values of at most
 * {@link ACCEPT_CACHE_KEY_LENGTH} characters are kept, and a full cache starts over, so a client
 * sending a new value each time costs memory no more than that and the others no more than the
 * negotiation itself.
 */
export class AcceptTypes {
  private readonly types = new Map<string, ErrorPageType>()
  private readonly fallback: ErrorPageType

  constructor(private readonly offers: readonly ErrorPageType[]) {
    this.fallback = offers[0] as ErrorPageType
  }

  /** The type to answer a failure in, for a request with this `Accept`. */
  typeFor(accept: string | undefined): ErrorPageType {
    if (accept === undefined) return this.fallback
    let type = this.types.get(accept)
    if (type !== undefined) return type
    type = negotiateType(accept, this.offers)
    if (accept.length <= ACCEPT_CACHE_KEY_LENGTH) {
      if (this.types.size >= ACCEPT_CACHE_ENTRIES) this.types.clear()
      this.types.set(accept, type)
    }
    return type
  }

  /** How many `Accept` values are remembered (for tests). */
  get size(): number {
    return this.types.size
  }
}
