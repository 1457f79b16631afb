import type { GatewayEvents } from '../events/GatewayEvents.js'
import { warnOnce } from '../seam/warnOnce.js'
import { AttributeSets } from './AttributeSets.js'
import { loadOpenTelemetry, type OpenTelemetryLoader } from './loadOpenTelemetry.js'
import { metricsObserver, type ReportedTargets } from './metricsObserver.js'
import type { ResolvedTelemetry } from './TelemetryProviders.js'
import { traceObserver } from './traceObserver.js'

/**
 * Subscribe the gateway's metrics and traces to its event seam once `@opentelemetry/api` has loaded
 * (see {@link loadOpenTelemetry}). Without the package nothing is ever subscribed, so nothing per
 * request changes. Returns the function that unsubscribes them (the gateway closed); it also stops
 * a subscription the load has not made yet.
 */
export function subscribeTelemetry(
  events: GatewayEvents,
  telemetry: ResolvedTelemetry,
  /** The targets the gauges report (ejected, concurrency limit, queue length); `undefined` in guard mode. */
  targets: ReportedTargets | undefined,
  load: OpenTelemetryLoader = loadOpenTelemetry,
): () => void {
  let stopped = false
  const stops: Array<() => void> = []
  load()
    .then((api) => {
      if (api === undefined || stopped) return
      // the attribute sets are made once for both signals
      const sets = new AttributeSets()
      if (telemetry.metrics) {
        const metrics = metricsObserver(api, telemetry.meterProvider, targets, sets)
        stops.push(events.subscribe(metrics.observer), metrics.stop)
      }
      if (telemetry.traces) stops.push(events.subscribe(traceObserver(api, telemetry.tracerProvider, sets)))
    })
    .catch((error: unknown) => {
      // a provider that throws, an API of an unexpected shape: the gateway works on without telemetry
      warnOnce(
        'GATEWAY_TELEMETRY_FAILED',
        `gateway-middleware: OpenTelemetry could not be set up (${error instanceof Error ? error.message : String(error)}); ` +
          'the gateway runs without metrics and traces.',
      )
    })
  return () => {
    stopped = true
    for (const stop of stops.splice(0)) stop()
  }
}
