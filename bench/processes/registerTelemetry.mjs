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
 */
export function registerTelemetry() {
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: NOWHERE, exportIntervalMillis: METRIC_INTERVAL_MS })],
  })
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(NOWHERE)] })
  metrics.setGlobalMeterProvider(meterProvider)
  trace.setGlobalTracerProvider(tracerProvider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
}
