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
