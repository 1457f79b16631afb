import './augment.js'

export {
  type ClientRequestOptions,
  type ClientResponse,
  type GatewayClient,
  type GatewayError,
  type GatewayOptions,
  isGatewayError,
} from '@gateway-middleware/core'
export { type GatewayMiddleware, gatewayMiddleware } from './gatewayMiddleware.js'
