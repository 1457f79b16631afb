import './augment.js'

export {
  type ClientRequestOptions,
  type ClientResponse,
  type GatewayClient,
  type GatewayError,
  type GatewayOptions,
  isGatewayError,
} from '@gateway-middleware/core'
export { type GatewayPluginOptions, gatewayPlugin } from './gatewayPlugin.js'
