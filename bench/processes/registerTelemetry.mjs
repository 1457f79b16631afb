import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'

/** How often the metrics are collected and handed to the exporter, in ms: often, so a run pays for it. */
const METRIC_INTERVAL_MS = 1_000

/** An exporter that takes everything and sends it nowhere, for metrics and spans alike. */
const NOWHERE = {
  export(_items, done) {
    done({ code: 0 })
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
}

/**
 * The OpenTelemetry SDK registered as an app registers it (`NodeSDK.start()` does the same): the
 * global meter provider with a periodic reader (every second, more often than any real scrape), the
 * global tracer provider with a batch span processor, every span sampled, the W3C propagator and the
 * AsyncLocalStorage context manager; both exporters send nothing anywhere. The cost that remains is
 * the gateway's (and the SDK's) work per request: spans, attributes, histograms, `traceparent`.
 *
 * `BENCH_TELEMETRY` (comma-separated, default `metrics,traces,context`) registers only some of them,
 * to split the cost: `metrics` the meter provider, `traces` the tracer provider, `context` the
 * AsyncLocalStorage context manager, entered once so that its promise hooks run (the propagator is
 * always registered).
 */
export function registerTelemetry() {
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: NOWHERE, exportIntervalMillis: METRIC_INTERVAL_MS })],
  })
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(NOWHERE)] })
  const parts = new Set((process.env.BENCH_TELEMETRY || 'metrics,traces,context').split(','))
  if (parts.has('metrics')) metrics.setGlobalMeterProvider(meterProvider)
  if (parts.has('traces')) trace.setGlobalTracerProvider(tracerProvider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  if (parts.has('context')) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
    // the SDK's exporters enter a context at their first export (to suppress their own tracing), which
    // switches AsyncLocalStorage's promise hooks on for good: without a provider nothing would, so do it
    context.with(context.active(), () => {})
  }
}
