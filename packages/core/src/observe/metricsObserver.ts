import type { ObservableResult } from '@opentelemetry/api'
import { isFailureCode, proxyStatusType } from '../errors/failures.js'
import type { GatewayObserver } from '../events/GatewayEvents.js'
import { AttributeSets } from './AttributeSets.js'
import { clientAttributes } from './clientAttributes.js'
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
export interface QueueLoad {
  readonly currentLimit: number
  readonly queued: number
}

/**
 * The targets the gauges report, read when they are collected: the static ones and the origins a
 * target function's requests went to that are still known (the LRU bounds them, so the series too).
 */
export interface ReportedTargets {
  /**
   * Calls `visit` with each target's origin, whether it is out of the rotation now (ejected by passive
   * health or failing its health check; a half-open target takes its trial, so it is back) and its queue.
   */
  each(visit: (origin: string, ejected: boolean, queue: QueueLoad | undefined) => void): void
  /**
   * Calls `visit` with each origin forgotten since the last call, once: its series is told 0 one last
   * time (a cumulative reader keeps a series' last value, and a forgotten ejected origin would count
   * as out for ever).
   */
  forgotten(visit: (origin: string) => void): void
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
  targets: ReportedTargets | undefined,
  sets: AttributeSets = new AttributeSets(),
): StoppableObserver {
  const where = (origin: string) => clientAttributes(undefined, origin)
  const reportLimit = (result: ObservableResult) => {
    targets?.each((origin, _out, queue) => {
      if (queue !== undefined) result.observe(queue.currentLimit, where(origin))
    })
  }
  const reportQueued = (result: ObservableResult) => {
    targets?.each((origin, _out, queue) => {
      if (queue !== undefined) result.observe(queue.queued, where(origin))
    })
  }
  const inFlight = new InFlightCounts()
  const reportEjected = (result: ObservableResult) => {
    targets?.each((origin, out) => result.observe(out ? 1 : 0, where(origin)))
    targets?.forgotten((origin) => result.observe(0, where(origin)))
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
    if (targets !== undefined) {
      on?.ejected.addCallback(reportEjected)
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
        if (current() !== undefined) inFlight.started(event.phases, sets.of(event.method, event.target))
      },
      attempt(event) {
        const { phases } = event
        if (phases === undefined) return
        inFlight.ended(phases)
        if (event.aborted && event.error === undefined) return
        const now = current()
        if (now === undefined) return
        const attributes = sets.of(event.method, event.target).outcome(event.status, event.error)
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
