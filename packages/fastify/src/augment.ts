import type { GatewayClient } from '@gateway-middleware/core'

declare module 'fastify' {
  interface FastifyRequest {
    /** The gateway's client for this request's upstream calls (guard mode). */
    gateway: GatewayClient
  }
}
