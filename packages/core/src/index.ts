export { classify } from './classify.js'
export { clientGoneSignal } from './clientGoneSignal.js'
export { createGateway, type Gateway } from './createGateway.js'
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONNECTIONS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_PROXY_NAME,
  DEFAULT_TOTAL_TIMEOUT_MS,
} from './defaults.js'
export { discardLaterWrites } from './discardLaterWrites.js'
export { errorResponse } from './errorResponse.js'
export { FAILURES, type FailureCode, type FailureRow, isFailureCode } from './failures.js'
export type { ClientRequestOptions, ClientResponse, GatewayClient } from './GatewayClient.js'
export { type FailurePhase, GatewayError, isGatewayError } from './GatewayError.js'
export { fromNodeRequest, type GatewayRequest, type NodeRequestContext } from './GatewayRequest.js'
export type { GatewayResponse } from './GatewayResponse.js'
export type {
  FailureContext,
  GatewayOptions,
  HeaderRecord,
  PoolOptions,
  TimeoutMs,
  TimeoutOptions,
  TlsOptions,
} from './options.js'
export { type GuardContext, type GuardedRequest, type GuardHooks, RequestGuard } from './RequestGuard.js'
export { type ProxyOptions, type ResolvedOptions, type ResolvedTarget, resolveOptions } from './resolveOptions.js'
export { UpstreamBody } from './UpstreamBody.js'
export { warnOnce } from './warnOnce.js'
export { writeResponse } from './writeResponse.js'
