import type { GatewayClient } from '@gateway-middleware/core'

declare module 'koa' {
  interface DefaultContext {
    /** The gateway's client for this request's upstream calls (guard mode). */
    gateway: GatewayClient
  }
}
