export { classify } from './classify.js'
export { type AbortSignalLike, clientGoneSignal } from './clientGoneSignal.js'
export {
  compileTemplate,
  TEMPLATE_PLACEHOLDERS,
  type TemplatePlaceholder,
  type TemplateValues,
} from './compileTemplate.js'
export { createGateway, type Gateway } from './createGateway.js'
export { defaultErrorPage } from './defaultErrorPage.js'
export * from './defaults.js'
export { discardLaterWrites } from './discardLaterWrites.js'
export type {
  ErrorPage,
  ErrorPageRenderer,
  ErrorPageRequest,
  ErrorPageResult,
  ErrorPages,
  ErrorPageType,
} from './ErrorPages.js'
export { type ErrorRequest, errorRequest } from './errorRequest.js'
export { type ErrorResponseContext, errorResponse } from './errorResponse.js'
export { escapeHtml } from './escapeHtml.js'
export { FAILURES, type FailureCode, type FailureRow, isFailureCode, proxyStatusType } from './failures.js'
export type { ClientRequestOptions, ClientResponse, GatewayClient } from './GatewayClient.js'
export { type FailurePhase, GatewayError, isGatewayError } from './GatewayError.js'
export { fromNodeRequest, type GatewayRequest, type NodeRequestContext } from './GatewayRequest.js'
export type { GatewayResponse } from './GatewayResponse.js'
export { ERROR_PAGE_TYPES, negotiateType } from './negotiateType.js'
export type {
  CircuitOptions,
  FailureContext,
  GatewayOptions,
  HeaderRecord,
  PoolOptions,
  RetryContext,
  RetryOptions,
  TimeoutMs,
  TimeoutOptions,
  TlsOptions,
} from './options.js'
export { type GuardContext, type GuardedRequest, type GuardHooks, RequestGuard } from './RequestGuard.js'
export { isSafeRequestId, requestId } from './requestId.js'
export { type ResolvedErrorPage, type ResolvedErrorPages, resolveErrorPages } from './resolveErrorPages.js'
export {
  type ResolvedCircuit,
  type ResolvedOptions,
  type ResolvedRetry,
  type ResolvedTarget,
  resolveOptions,
} from './resolveOptions.js'
export { type AttemptOutcome, backoff, type RetryRequest, retryAfterMs, retryDelay } from './retryDelay.js'
export { UpstreamBody } from './UpstreamBody.js'
export { warnOnce } from './warnOnce.js'
export { writeResponse } from './writeResponse.js'
