export {
  type GatewayError,
  type GatewayOptions,
  isGatewayError,
} from '@gateway-middleware/core'
export { type GatewayMiddleware, gatewayMiddleware } from './gatewayMiddleware.js'
