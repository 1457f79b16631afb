import type { GatewayClient } from '@gateway-middleware/core'

declare global {
  namespace Express {
    interface Request {
      /** The gateway's client for this request's upstream calls (guard mode). */
      gateway: GatewayClient
    }
  }
}
