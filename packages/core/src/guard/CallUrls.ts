import type { ResolvedTarget } from '../options/resolveOptions.js'

/** A call URL, parsed once: what `request()` needs of it. */
export interface CallUrl {
  readonly origin: string
  readonly path: string
  /** Its origin as a target, for the origin's destination (see `Origins`). */
  readonly target: ResolvedTarget
}

/** How many parsed call URLs a gateway keeps; when full it starts over. */
const CALL_URL_CACHE_SIZE = 512

/**
 * The URLs a gateway's routes call, parsed once: routes mostly call the same few URLs, and parsing
 * one on every call is work that can be done once. The origin's destination (its queue and limit) is
 * not kept here but looked up per call in the gateway's `Origins`, which bounds how many there are.
 */
export class CallUrls {
  private readonly parsed = new Map<string, CallUrl>()

  get(input: string | URL): CallUrl {
    if (typeof input !== 'string') return parse(input)
    let url = this.parsed.get(input)
    if (url === undefined) {
      url = parse(new URL(input))
      if (this.parsed.size >= CALL_URL_CACHE_SIZE) this.parsed.clear()
      this.parsed.set(input, url)
    }
    return url
  }
}

function parse(url: URL): CallUrl {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`gateway.request expected an http: or https: URL, got ${JSON.stringify(url.protocol)}`)
  }
  return { origin: url.origin, path: url.pathname + url.search, target: callTarget(url) }
}

/** A call's origin as a target (guard calls have no path prefix). */
export function callTarget(url: URL): ResolvedTarget {
  return { origin: url.origin, basePath: '', url }
}
