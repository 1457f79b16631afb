import type { ObservableResult } from '@opentelemetry/api'
import { isFailureCode, proxyStatusType } from '../errors/failures.js'
import type { GatewayObserver } from '../events/GatewayEvents.js'
import { clientAttributes } from './clientAttributes.js'
import { errorType } from './errorType.js'
import { GatewayMetrics, INSTRUMENTATION_SCOPE } from './GatewayMetrics.js'
import { InFlightCounts } from './InFlightCounts.js'
import type { OpenTelemetryApi } from './loadOpenTelemetry.js'
import type { MeterProviderLike } from './TelemetryProviders.js'

/** An observer of the event seam that holds something outside it (a metric callback) until stopped. */
export interface StoppableObserver {
  readonly observer: GatewayObserver
  /** Let go of what the observer holds: the gateway closed. */
  stop(): void
}

/** What the gauges read of one target's queue at collection (a `TargetQueue`). */
export interface TargetLoad {
  /** The target's origin, as configured. */
  readonly origin: string
  /** Its queue; `undefined`: none (guard mode). */
  readonly queue: { readonly currentLimit: number; readonly queued: number } | undefined
}

/** Instruments per meter provider, shared by every gateway that records to it; `null`: a no-op provider. */
const instruments = new WeakMap<object, GatewayMetrics | null>()

/**
 * The gateway's metrics, as an observer of its event seam: `http.client.request.duration` and
 * `http.client.active_requests` per upstream attempt (the HTTP client semantic conventions),
 * `gateway.answers`, `gateway.cuts`, `gateway.retries`, `gateway.ejections` and
 * `gateway.targets.ejected`, `gateway.sheds`, and per target `gateway.target.concurrency_limit` and
 * `gateway.target.queue_length`, read from its queue at collection (see {@link GatewayMetrics}).
 *
 * The provider is `meterProvider`, or the global one looked up again at each event: a meter taken
 * before the SDK registers stays a no-op forever (metrics have no proxy provider, unlike traces), so
 * instruments are made on the first event after a provider appeared, and while there is only the
 * no-op provider nothing is recorded. The in-flight counts are kept by the observer (see
 * {@link InFlightCounts}). An attempt aborted by its client is not recorded as a duration (its time
 * says nothing about the upstream), but leaves the in-flight count like any other.
 */
export function metricsObserver(
  api: OpenTelemetryApi,
  meterProvider: MeterProviderLike | undefined,
  targets: readonly TargetLoad[],
): StoppableObserver {
  /** Whether each target is ejected now, from the health events (known before any SDK is). */
  const ejected = new Map<string, boolean>(targets.map(({ origin }) => [origin, false]))
  // each target's attributes, made once: the gauges are read at every collection
  const queues = targets.flatMap(({ origin, queue }) =>
    queue === undefined ? [] : [{ queue, attributes: clientAttributes(undefined, origin) }],
  )
  const reportLimit = (result: ObservableResult) => {
    for (const { queue, attributes } of queues) result.observe(queue.currentLimit, attributes)
  }
  const reportQueued = (result: ObservableResult) => {
    for (const { queue, attributes } of queues) result.observe(queue.queued, attributes)
  }
  const inFlight = new InFlightCounts()
  const reportEjected = (result: ObservableResult) => {
    for (const [origin, out] of ejected) result.observe(out ? 1 : 0, clientAttributes(undefined, origin))
  }
  let provider: object | undefined
  let metrics: GatewayMetrics | undefined
  /** The instruments this gateway's callbacks are on. */
  let reporting: GatewayMetrics | undefined
  const report = (on: GatewayMetrics | undefined) => {
    reporting?.active.removeCallback(inFlight.report)
    reporting?.ejected.removeCallback(reportEjected)
    reporting?.concurrencyLimit.removeCallback(reportLimit)
    reporting?.queueLength.removeCallback(reportQueued)
    reporting = on
    on?.active.addCallback(inFlight.report)
    if (ejected.size > 0) on?.ejected.addCallback(reportEjected)
    if (queues.length > 0) {
      on?.concurrencyLimit.addCallback(reportLimit)
      on?.queueLength.addCallback(reportQueued)
    }
  }
  const current = (): GatewayMetrics | undefined => {
    const now = meterProvider ?? api.metrics.getMeterProvider()
    if (now === provider) return metrics
    provider = now
    metrics = instrumentsOf(api, now)
    report(metrics)
    return metrics
  }
  current()
  return {
    stop: () => report(undefined),
    observer: {
      attemptStart(event) {
        // without a meter there is nothing to report to (an attempt that started before one appeared
        // is not counted, and its end is ignored)
        if (current() !== undefined) inFlight.started(event.phases, event.method, event.target)
      },
      attempt(event) {
        const { phases } = event
        if (phases === undefined) return
        inFlight.ended(phases)
        if (event.aborted && event.error === undefined) return
        const now = current()
        if (now === undefined) return
        const attributes = clientAttributes(event.method, event.target)
        if (event.status !== undefined) attributes['http.response.status_code'] = event.status
        const type = errorType(event.status, event.error)
        if (type !== undefined) attributes['error.type'] = type
        const end = phases.firstByte ?? phases.ended ?? performance.now()
        now.duration.record((end - phases.started) / 1000, attributes)
      },
      response(event) {
        if (event.error === undefined) return
        current()?.answers.add(1, {
          'http.response.status_code': event.status,
          'error.type': proxyStatusType(event.error.code),
        })
      },
      failure(error, context) {
        if (context.shed !== undefined) {
          const attributes = clientAttributes(undefined, context.target)
          attributes['gateway.shed.reason'] = context.shed
          current()?.sheds.add(1, attributes)
          return
        }
        if (!error.afterHeaders) return
        const attributes = clientAttributes(undefined, context.target)
        attributes['error.type'] = proxyStatusType(error.code)
        current()?.cuts.add(1, attributes)
      },
      retry(context) {
        const attributes = clientAttributes(context.method, context.target)
        const { reason } = context
        // a listed upstream status is retried as `status_503`: the conventions' error.type is `503`
        attributes['error.type'] = isFailureCode(reason) ? proxyStatusType(reason) : reason.slice(7)
        current()?.retries.add(1, attributes)
      },
      health(event) {
        ejected.set(event.target, event.state === 'ejected')
        if (event.state === 'ejected') current()?.ejections.add(1, clientAttributes(undefined, event.target))
      },
    },
  }
}

/** The instruments on a provider's meter, made once per provider; `undefined` for a no-op provider. */
function instrumentsOf(api: OpenTelemetryApi, provider: object): GatewayMetrics | undefined {
  let made = instruments.get(provider)
  if (made === undefined) {
    const meter = (provider as MeterProviderLike).getMeter(INSTRUMENTATION_SCOPE)
    made = meter === api.createNoopMeter() ? null : new GatewayMetrics(meter as ReturnType<typeof api.metrics.getMeter>)
    instruments.set(provider, made)
  }
  return made ?? undefined
}
