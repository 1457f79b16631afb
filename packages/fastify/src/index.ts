import './augment.js'

export {
  type ClientRequestOptions,
  type ClientResponse,
  type ErrorPage,
  type ErrorPageRequest,
  type ErrorPageResult,
  type ErrorPages,
  type ErrorPageType,
  type GatewayClient,
  type GatewayError,
  type GatewayOptions,
  isGatewayError,
} from '@gateway-middleware/core'
export type { GatewaysHealthReport } from './gatewayHealth.js'
export { type GatewayPluginOptions, gatewayPlugin } from './gatewayPlugin.js'
