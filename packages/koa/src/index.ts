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
  type HealthReport,
  isGatewayError,
} from '@gateway-middleware/core'
export { type GatewayMiddleware, gatewayMiddleware } from './gatewayMiddleware.js'
