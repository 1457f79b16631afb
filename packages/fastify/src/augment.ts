import type { GatewayClient } from '@gateway-middleware/core'
import type { GatewaysHealthReport } from './gatewayHealth.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The gateway's client for this request's upstream calls (guard mode). */
    gateway: GatewayClient
  }
  interface FastifyInstance {
    /**
     * Every proxy registration's targets (healthy, ejected until when, half-open, the health checks'
     * verdict, the latest failure kind, attempts in flight), for a readiness endpoint. Targets are
     * named by position unless `{ addresses: true }`.
     */
    gatewayHealth(options?: { readonly addresses?: boolean }): GatewaysHealthReport
  }
}
