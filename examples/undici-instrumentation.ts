import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici'

/** A request that already carries a `traceparent`: the gateway's, which made its CLIENT span itself. */
export function carriesTraceparent({ headers }: UndiciRequest): boolean {
  if (typeof headers === 'string') return /^traceparent:/im.test(headers)
  return headers.some((field, i) => i % 2 === 0 && String(field).toLowerCase() === 'traceparent')
}

// in your OpenTelemetry setup (NodeSDK's instrumentations, or registerInstrumentations)
export function undiciInstrumentation(): UndiciInstrumentation {
  return new UndiciInstrumentation({ ignoreRequestHook: carriesTraceparent })
}
