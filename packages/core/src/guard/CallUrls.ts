import type { Dispatcher } from 'undici'
import type { ResolvedTarget } from '../options/resolveOptions.js'
import type { Destination } from '../targets/TargetSet.js'
import { TargetState } from '../targets/TargetState.js'

/** A call URL, parsed once: what `request()` needs of it. */
export interface CallUrl {
  readonly origin: string
  readonly path: string
  readonly destination: Destination
}

/** How many parsed call URLs a gateway keeps; when full it starts over. */
const CALL_URL_CACHE_SIZE = 512

/**
 * The URLs a gateway's routes call, parsed once: routes mostly call the same few URLs, and parsing
 * one (and making its destination) on every call is work that can be done once.
 */
export class CallUrls {
  private readonly parsed = new Map<string, CallUrl>()

  constructor(private readonly dispatcher: Dispatcher) {}

  get(input: string | URL): CallUrl {
    if (typeof input !== 'string') return this.parse(input)
    let url = this.parsed.get(input)
    if (url === undefined) {
      url = this.parse(new URL(input))
      if (this.parsed.size >= CALL_URL_CACHE_SIZE) this.parsed.clear()
      this.parsed.set(input, url)
    }
    return url
  }

  private parse(url: URL): CallUrl {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`gateway.request expected an http: or https: URL, got ${JSON.stringify(url.protocol)}`)
    }
    const target: ResolvedTarget = { origin: url.origin, basePath: '', url }
    return {
      origin: url.origin,
      path: url.pathname + url.search,
      destination: { target, dispatcher: this.dispatcher, circuit: undefined, state: new TargetState() },
    }
  }
}
