import { type HeaderRecord, headerRecord } from '../http/headerRecord.js'
import type { TargetRequest } from '../options/options.js'
import type { GatewayRequest } from '../seam/GatewayRequest.js'
import { routedPath } from './upstreamPath.js'

/**
 * What a target function is told of a request: a view of it, whose header record is made only if the
 * function reads it (a router by path or peer never pays for one; measured in the README's
 * "A target per request").
 */
export class RoutingRequest implements TargetRequest {
  readonly method: string
  readonly url: string
  readonly remoteAddress: string | undefined
  // private to the class itself, so a function cannot reach the request's body through it
  readonly #request: GatewayRequest
  #record: HeaderRecord | undefined

  constructor(request: GatewayRequest) {
    this.#request = request
    this.method = request.method
    this.url = routedPath(request.url)
    this.remoteAddress = request.remoteAddress
  }

  get headers(): HeaderRecord {
    this.#record ??= headerRecord(this.#request.rawHeaders)
    return this.#record
  }
}
