import type { Counter, Histogram, Meter, ObservableGauge, ObservableUpDownCounter } from '@opentelemetry/api'

/** The instrumentation scope the gateway's metrics and spans are recorded under. */
export const INSTRUMENTATION_SCOPE = '@gateway-middleware/core'

/**
 * The HTTP semantic conventions' bucket boundaries for request durations, in seconds (the SDK's
 * defaults are meant for milliseconds and would put every upstream call in the first buckets).
 */
export const DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
])

/**
 * The gateway's instruments on one meter: the HTTP client semantic conventions' two for the upstream
 * calls, and the gateway's own. Made once per meter provider (see `metricsObserver`), on the first
 * event after the provider appeared: a meter taken before the SDK registered would stay a no-op.
 */
export class GatewayMetrics {
  /** `http.client.request.duration`: each upstream attempt, from its start to its response headers or failure. */
  readonly duration: Histogram
  /** `http.client.active_requests`: upstream attempts under way (asynchronous: see `InFlightCounts`). */
  readonly active: ObservableUpDownCounter
  /** `gateway.answers`: answers the gateway generated itself (502, 503, 504, 408, 413, …). */
  readonly answers: Counter
  /** `gateway.cuts`: client connections cut because the upstream failed after the response headers. */
  readonly cuts: Counter
  /** `gateway.retries`: retries, by the failure (or status) retried. */
  readonly retries: Counter
  /** `gateway.ejections`: targets ejected by passive health. */
  readonly ejections: Counter
  /**
   * `gateway.targets.ejected`: per target, 1 while out of the rotation (as `health()` says `ejected`), else 0;
   * a half-open target is 0 (it takes its trial request). Their sum: how many are out.
   */
  readonly ejected: ObservableUpDownCounter
  /** `gateway.sheds`: attempts the gateway shed at its own limit (503 `connection_limit_reached`), by why. */
  readonly sheds: Counter
  /** `gateway.target.concurrency_limit`: per target, requests it may have under way now (an adaptive limit moves). */
  readonly concurrencyLimit: ObservableGauge
  /** `gateway.target.queue_length`: per target, requests waiting in the gateway's queue for it now. */
  readonly queueLength: ObservableGauge

  constructor(meter: Meter) {
    this.duration = meter.createHistogram('http.client.request.duration', {
      description: 'Duration of HTTP client requests: each upstream attempt, to its response headers or its failure.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_S] },
    })
    this.active = meter.createObservableUpDownCounter('http.client.active_requests', {
      description: 'Number of active HTTP requests: upstream attempts waiting for their response headers.',
      unit: '{request}',
    })
    const counter = (name: string, unit: string, description: string) =>
      meter.createCounter(name, { description, unit })
    this.answers = counter(
      'gateway.answers',
      '{answer}',
      'Answers the gateway generated itself for a failure, by status and RFC 9209 error type.',
    )
    this.cuts = counter(
      'gateway.cuts',
      '{cut}',
      'Client connections cut because the upstream failed after the response headers went out.',
    )
    this.retries = counter(
      'gateway.retries',
      '{retry}',
      'Upstream attempts retried, by the failure (RFC 9209 type) or status retried.',
    )
    this.ejections = counter(
      'gateway.ejections',
      '{ejection}',
      'Targets ejected by passive health (a failed trial ejects again).',
    )
    this.ejected = meter.createObservableUpDownCounter('gateway.targets.ejected', {
      description: 'Targets out of the rotation now: 1 while a target is ejected, 0 while it is in use or half-open.',
      unit: '{target}',
    })
    this.sheds = counter(
      'gateway.sheds',
      '{request}',
      "Attempts shed at the gateway's own limit (503 connection_limit_reached), by gateway.shed.reason: queue_full, queue_timeout or queue_standing.",
    )
    this.concurrencyLimit = meter.createObservableGauge('gateway.target.concurrency_limit', {
      description:
        "Requests a target may have under way at once now: the gateway's limit (with concurrency: 'adaptive', the one found).",
      unit: '{request}',
    })
    this.queueLength = meter.createObservableGauge('gateway.target.queue_length', {
      description: "Requests waiting in the gateway's queue for a target now.",
      unit: '{request}',
    })
  }
}
