import type { Gateway, HealthReport, TargetHealth } from '@gateway-middleware/core'
import type { FastifyInstance } from 'fastify'

/** What `app.gatewayHealth()` reports: every proxy registration's targets, with its prefix. */
export interface GatewaysHealthReport {
  /** `pass` while every registration has a target that can take requests. */
  readonly status: 'pass' | 'fail'
  readonly targets: ReadonlyArray<TargetHealth & { readonly prefix: string }>
}

/** The proxies registered on each app (by its server), for the one decorator that reports them all. */
const registered = new WeakMap<object, Array<{ prefix: string; gateway: Gateway }>>()

/**
 * Add a proxy registration to `app.gatewayHealth()`, decorating the instance the first time (a
 * second decoration would throw: one decorator covers every registration).
 */
export function reportHealth(instance: FastifyInstance, gateway: Gateway, prefix: string): void {
  let gateways = registered.get(instance.server)
  if (gateways === undefined) {
    gateways = []
    registered.set(instance.server, gateways)
  }
  gateways.push({ prefix, gateway })
  if (instance.hasDecorator('gatewayHealth')) return
  instance.decorate('gatewayHealth', function gatewayHealth(this: FastifyInstance, options?: { addresses?: boolean }) {
    const reports = (registered.get(this.server) ?? []).map(({ prefix: at, gateway: registration }) => ({
      prefix: at,
      report: registration.health(options) as HealthReport,
    }))
    return {
      status: reports.every(({ report }) => report.status === 'pass') ? 'pass' : 'fail',
      targets: reports.flatMap(({ prefix: at, report }) => report.targets.map((target) => ({ ...target, prefix: at }))),
    } satisfies GatewaysHealthReport
  })
}
