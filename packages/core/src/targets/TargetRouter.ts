import { GatewayError } from '../errors/GatewayError.js'
import type { TargetFunction, TargetRequest } from '../options/options.js'
import type { ResolvedTarget } from '../options/resolveOptions.js'
import { targetBasePath, targetProblem } from '../options/targetProblem.js'
import { warnOnce } from '../seam/warnOnce.js'

/** How many parsed results a router keeps; when full it starts over. */
const PARSED_CACHE_SIZE = 512

/** The path of an absolute URL string as written (before the URL parser removes its dot segments). */
const WRITTEN_PATH = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]*[^/\\?#]*([^?#]*)/
/** A `.` or `..` segment, plain or percent-encoded, between slashes or backslashes (WHATWG reads `\` as `/`). */
const DOT_SEGMENT = /(?:^|[/\\])(?:\.|%2e){1,2}(?:[/\\]|$)/i
/** An encoded slash or backslash: one segment to the parser, two to many upstreams. */
const ENCODED_SEPARATOR = /%2f|%5c/i

/**
 * `target` as a function: asks it where each request goes, and holds its answer to the rule for
 * static targets, and more. A function that builds a URL from request data (`http://api/${tenant}`)
 * must not let `..` climb out of its prefix: the URL parser would remove the dot segments and route
 * the request somewhere the function never named, so a written `.`/`..` segment or an encoded slash is
 * refused, not normalised. Results are parsed once per distinct string (routers name few origins).
 */
export class TargetRouter {
  private readonly parsed = new Map<string, ResolvedTarget>()

  constructor(private readonly targetFunction: TargetFunction) {}

  /**
   * The target of one request. Rejects with the gateway's 500 `proxy_internal_error` (its cause says
   * why) when the function throws, rejects or names no valid target: the app's bug, never followed;
   * with a 504 `http_response_timeout` when its promise has not settled within `msLeft` (the request's
   * deadline: a function that never settles must not hold the request for ever).
   */
  async route(request: TargetRequest, msLeft: number): Promise<ResolvedTarget> {
    let result: unknown
    try {
      result = this.targetFunction(request)
      if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
        result = await settledWithin(Promise.resolve(result as PromiseLike<unknown>), msLeft)
      }
    } catch (error) {
      if (error === DEADLINE) throw new GatewayError('http_response_timeout', { phase: 'headers' })
      throw refused('threw or rejected', error)
    }
    if (typeof result === 'string') {
      let target = this.parsed.get(result)
      if (target === undefined) {
        target = parse(result)
        if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.clear()
        this.parsed.set(result, target)
      }
      return target
    }
    if (result instanceof URL) return resolved(new URL(result.href))
    throw refused(`returned ${result === null ? 'null' : typeof result}, not a URL`)
  }
}

/** What {@link settledWithin} rejects with when the time is up. */
const DEADLINE = Symbol('deadline')

/** The promise's outcome, or a rejection with {@link DEADLINE} after `ms` (`Infinity`: no timer). */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms === Number.POSITIVE_INFINITY) return promise
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(reject, Math.max(0, ms), DEADLINE)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A string result as a target: an absolute URL whose written path has no dot segment. */
function parse(written: string): ResolvedTarget {
  let url: URL
  try {
    url = new URL(written)
  } catch {
    throw refused('returned a string that is not an absolute URL')
  }
  // only once the URL parsed (so the string has a scheme) is its written path looked at
  if (DOT_SEGMENT.test(WRITTEN_PATH.exec(written)?.[1] ?? '')) throw refused('returned a URL with a . or .. segment')
  return resolved(url)
}

function resolved(url: URL): ResolvedTarget {
  const problem = targetProblem(url)
  if (problem !== undefined) {
    // never the URL itself in the reason: it may carry credentials
    throw refused(
      `returned ${url.protocol === 'http:' || url.protocol === 'https:' ? 'a URL' : `a ${url.protocol} URL`}: expected ${problem}`,
    )
  }
  if (ENCODED_SEPARATOR.test(url.pathname)) throw refused('returned a URL whose path has an encoded slash or backslash')
  return Object.freeze({ origin: url.origin, basePath: targetBasePath(url), url })
}

/** The app's bug as the gateway's answer: a 500, told once as a process warning, its reason the cause `onError` gets. */
function refused(reason: string, thrown?: unknown): GatewayError {
  const cause = new TypeError(`gateway-middleware: the target function ${reason}`, { cause: thrown })
  warnOnce(
    'GATEWAY_TARGET_FUNCTION_FAILED',
    `${cause.message}, so the client got 500 proxy_internal_error and nothing was sent upstream. A target function ` +
      'must return (or resolve with) an absolute http: or https: URL without credentials, query string, fragment, ' +
      '. or .. segments or encoded slashes.',
  )
  return new GatewayError('proxy_internal_error', { cause })
}
