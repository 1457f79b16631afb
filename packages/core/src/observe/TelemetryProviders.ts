/**
 * An OpenTelemetry `MeterProvider` (`@opentelemetry/sdk-metrics`' or any other), in the shape the
 * gateway uses, so that its types do not depend on the optional `@opentelemetry/api`.
 */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: { schemaUrl?: string }): object
}

/** An OpenTelemetry `TracerProvider` (`@opentelemetry/sdk-trace-base`' or any other), in the shape the gateway uses. */
export interface TracerProviderLike {
  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): object
}

/** The telemetry settings, resolved. */
export interface ResolvedTelemetry {
  /** Whether metrics are recorded: to `meterProvider`, or to the global one when that is `undefined`. */
  readonly metrics: boolean
  readonly meterProvider: MeterProviderLike | undefined
  /** Whether spans are made: by `tracerProvider`, or the global one when that is `undefined`. */
  readonly traces: boolean
  readonly tracerProvider: TracerProviderLike | undefined
}
