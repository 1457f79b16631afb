/**
 * The real OpenTelemetry SDK for tests (api 1.9 + SDK 2.x, the line that runs on Node 20): a meter
 * provider with a reader the test collects from, a tracer provider exporting to memory, the W3C
 * propagator and the AsyncLocalStorage context manager (without one the active span is lost across
 * `await`). `registerSdk()` makes them the global ones until the current test finishes.
 */
import { type Attributes, context, metrics, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { onTestFinished } from 'vitest'

/** A metric reader the test collects from when it wants (cumulative, as Prometheus reads). */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

/** A meter and a tracer provider with what they recorded. */
export interface TestSdk {
  readonly meterProvider: MeterProvider
  readonly tracerProvider: BasicTracerProvider
  /** Every metric of the gateway's instrumentation scope, as collected now. */
  metrics(): Promise<MetricData[]>
  /** The data points of one metric, as collected now (`[]` when it has none). */
  points(name: string): Promise<DataPoint<unknown>[]>
  /** Every span ended so far, in the order they ended. */
  spans(): ReadableSpan[]
}

/** The gateway's instrumentation scope. */
const SCOPE = '@gateway-middleware/core'

/** A meter and a tracer provider, not registered anywhere; shut down when the current test finishes. */
export function testSdk(): TestSdk {
  const reader = new CollectingReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  onTestFinished(async () => {
    await meterProvider.shutdown()
    await tracerProvider.shutdown()
  })
  const collect = async () => {
    const { resourceMetrics } = await reader.collect()
    return resourceMetrics.scopeMetrics.filter(({ scope }) => scope.name === SCOPE).flatMap(({ metrics }) => metrics)
  }
  return {
    meterProvider,
    tracerProvider,
    metrics: collect,
    async points(name) {
      return (await collect()).find(({ descriptor }) => descriptor.name === name)?.dataPoints ?? []
    },
    spans: () => exporter.getFinishedSpans(),
  }
}

/**
 * The SDK registered as the global meter and tracer providers, with the W3C propagator and the
 * AsyncLocalStorage context manager, as `NodeSDK.start()` does; unregistered (the API's `disable()`)
 * when the current test finishes.
 */
export function registerSdk(): TestSdk {
  const sdk = testSdk()
  metrics.setGlobalMeterProvider(sdk.meterProvider)
  trace.setGlobalTracerProvider(sdk.tracerProvider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  onTestFinished(() => {
    metrics.disable()
    trace.disable()
    propagation.disable()
    context.disable()
  })
  return sdk
}

/** A histogram data point's count, sum and buckets. */
export function histogram(point: DataPoint<unknown> | undefined): Histogram {
  if (point === undefined) throw new Error('no such data point')
  return point.value as Histogram
}

/** The data points whose attributes include `attributes`. */
export function withAttributes(points: DataPoint<unknown>[], attributes: Attributes): DataPoint<unknown>[] {
  return points.filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
}

/** A W3C `traceparent` of a made-up caller: its trace id and span id. */
export const CALLER = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
} as const
