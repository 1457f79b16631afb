// The public API of @gateway-middleware/core. What framework adapters need besides it is in
// `@gateway-middleware/core/adapter`.

export { TEMPLATE_PLACEHOLDERS, type TemplatePlaceholder, type TemplateValues } from './error-pages/compileTemplate.js'
export type {
  ErrorPage,
  ErrorPageRenderer,
  ErrorPageRequest,
  ErrorPageResult,
  ErrorPages,
  ErrorPageType,
} from './error-pages/ErrorPages.js'
export * from './error-pages/errorPageDefaults.js'
export { classify } from './errors/classify.js'
export { FAILURES, type FailureCode, type FailureRow, isFailureCode, proxyStatusType } from './errors/failures.js'
export { type FailurePhase, GatewayError, isGatewayError } from './errors/GatewayError.js'
export type { FailureContext, RetryContext } from './events/FailureContext.js'
export type {
  AttemptEvent,
  AttemptStartEvent,
  DepartureEvent,
  GatewayObserver,
  HealthEvent,
  ResponseEvent,
  WarningEvent,
} from './events/GatewayEvents.js'
export type { PhaseRecord } from './events/PhaseRecord.js'
export type { CloseReport } from './gateway/closeGracefully.js'
export { createGateway, type Gateway } from './gateway/createGateway.js'
export type { ClientRequestOptions, ClientResponse, GatewayClient } from './guard/GatewayClient.js'
export type { HeaderRecord } from './http/headerRecord.js'
export type { LoggedTimings } from './observe/logObserver.js'
export type { MeterProviderLike, TracerProviderLike } from './observe/TelemetryProviders.js'
export * from './options/defaults.js'
export type {
  CircuitOptions,
  CookieAttributeRewrite,
  CookieRewriteOptions,
  GatewayOptions,
  HealthCheckOptions,
  HedgePercentile,
  OutboundProxyOptions,
  PoolOptions,
  ResponseBodyContext,
  RetryOptions,
  RewriteResponseBodyOptions,
  TargetFunction,
  TargetRequest,
  TelemetryOptions,
  TimeoutMs,
  TimeoutOptions,
  TlsOptions,
  UpgradeOptions,
} from './options/options.js'
export type { ResolvedOptions } from './options/resolveOptions.js'
export type { GatewayLogger } from './seam/GatewayLogger.js'
export type { GatewayRequest, ParsedBody } from './seam/GatewayRequest.js'
export type { GatewayResponse } from './seam/GatewayResponse.js'
export type { HealthReport, TargetHealth } from './targets/healthReport.js'
export type { UpstreamBody } from './upstream/UpstreamBody.js'
