// `@gateway-middleware/core/adapter`: what a framework adapter needs to translate between its
// framework and the core, and nothing an application needs.
export { optionError } from './errors/optionError.js'
export { graceWithin } from './gateway/graceWithin.js'
export type { GuardedRequest, GuardHooks, RequestGuard } from './guard/RequestGuard.js'
export type { AbortSignalLike } from './seam/AbortSignalLike.js'
export { clientGoneSignal } from './seam/clientGoneSignal.js'
export { discardLaterWrites } from './seam/discardLaterWrites.js'
export { fromNodeRequest, type NodeRequestContext, type ParsedBody } from './seam/GatewayRequest.js'
export type { DirectBody } from './seam/GatewayResponse.js'
export {
  adoptUpgrade,
  type ClientUpgrade,
  clientUpgrade,
  routeUpgrade,
  upgradeThroughServer,
} from './seam/routeUpgrade.js'
export { warnOnce } from './seam/warnOnce.js'
export { writeDirectlyWhenPiped, writeResponse } from './seam/writeResponse.js'
