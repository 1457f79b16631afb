import type * as OpenTelemetry from '@opentelemetry/api'

/** `@opentelemetry/api`, as the gateway uses it. */
export type OpenTelemetryApi = typeof OpenTelemetry

/** How the gateway gets `@opentelemetry/api`: resolves with it, or `undefined` when it cannot be loaded. */
export type OpenTelemetryLoader = () => Promise<OpenTelemetryApi | undefined>

let loading: Promise<OpenTelemetryApi | undefined> | undefined

/**
 * `@opentelemetry/api`, imported once per process when the first gateway with telemetry is created.
 * It is an optional peer dependency: when it is not installed (or fails to load), this resolves
 * with `undefined` and the gateway goes without telemetry, at no cost. An import of a package that
 * is already loaded (the app registered the SDK first) resolves within microtasks, before any request
 * can arrive.
 */
export function loadOpenTelemetry(): Promise<OpenTelemetryApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (api) => api,
    () => undefined,
  )
  return loading
}
