import type { Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api'
import { FAILURES } from '../errors/failures.js'
import type { AttemptStartEvent, GatewayObserver } from '../events/GatewayEvents.js'
import type { PhaseRecord } from '../events/PhaseRecord.js'
import { AttributeSets } from './AttributeSets.js'
import type { ClientAttributes } from './clientAttributes.js'
import { errorType } from './errorType.js'
import { INSTRUMENTATION_SCOPE } from './GatewayMetrics.js'
import type { OpenTelemetryApi } from './loadOpenTelemetry.js'
import type { TracerProviderLike } from './TelemetryProviders.js'

/** Reads a trace parent from a request's raw header lines (`[name, value, …]`). */
const RAW_HEADERS: TextMapGetter<readonly string[]> = {
  keys(lines) {
    const names: string[] = []
    for (let i = 0; i < lines.length; i += 2) names.push((lines[i] as string).toLowerCase())
    return names
  },
  get(lines, key) {
    let found: string | string[] | undefined
    for (let i = 0; i < lines.length; i += 2) {
      const name = lines[i] as string
      if (name.length !== key.length || name.toLowerCase() !== key) continue
      const value = lines[i + 1] as string
      found = found === undefined ? value : Array.isArray(found) ? [...found, value] : [found, value]
    }
    return found
  },
}

/** Writes what the propagator injects (`traceparent`, `tracestate`) into the attempt's own headers. */
const ATTEMPT_HEADERS: TextMapSetter<AttemptStartEvent> = {
  set(event, key, value) {
    event.setHeader(key, value)
  },
}

/**
 * The gateway's spans, as an observer of its event seam: each upstream attempt is a CLIENT span named
 * for its method (`GET`; `HTTP` for a method the conventions do not know), with the HTTP client
 * semantic conventions' attributes, from the attempt's start to its response headers or its failure
 * (the body's pace is the client's). Its parent is the active span when the app's HTTP
 * instrumentation made one (or the route made its own), else the client's incoming `traceparent`
 * (extracted with the global propagator); the upstream gets this span's `traceparent` (injected with
 * the global propagator into that attempt's headers only). A retry is a span of its own
 * (`http.request.resend_count`); a failure sets the status to ERROR and `error.type` to its RFC 9209
 * type, an answer ≥ 400 to its status; an attempt the client abandoned ends with `gateway.aborted`,
 * not as an error.
 *
 * The provider is `tracerProvider`, or the global one: while that is the API's proxy without an SDK
 * behind it, nothing is done at all (no span, no header).
 */
export function traceObserver(
  api: OpenTelemetryApi,
  tracerProvider: TracerProviderLike | undefined,
  sets: AttributeSets = new AttributeSets(),
): GatewayObserver {
  // the API's proxy provider, until an SDK registers, delegates to this no-op provider
  const noop = new api.ProxyTracerProvider().getDelegate()
  const spans = new WeakMap<PhaseRecord, Span>()
  let provider: object | undefined
  let tracer: Tracer | undefined
  const current = (): Tracer | undefined => {
    const now = tracerProvider ?? api.trace.getTracerProvider()
    if (now !== provider) {
      provider = now
      tracer = (now as TracerProviderLike).getTracer(INSTRUMENTATION_SCOPE) as Tracer
    }
    if (tracerProvider === undefined && (now as { getDelegate?: () => unknown }).getDelegate?.() === noop)
      return undefined
    return tracer
  }
  return {
    attemptStart(event) {
      const now = current()
      if (now === undefined) return
      const parent = parentContext(api, event.clientHeaders)
      const { base, method } = sets.of(event.method, event.target)
      // the attributes a sampler may read are given at the start (a copy of the set made once)
      const attributes: ClientAttributes = { ...base, 'url.full': event.target + withoutQuery(event.path) }
      if (method === '_OTHER') attributes['http.request.method_original'] = event.method
      if (event.attempt > 1) attributes['http.request.resend_count'] = event.attempt - 1
      const span = now.startSpan(
        method === '_OTHER' ? 'HTTP' : method,
        { kind: api.SpanKind.CLIENT, attributes, startTime: event.phases.started },
        parent,
      )
      // a span the sampler dropped records nothing: only its traceparent (not sampled) goes upstream
      if (span.isRecording()) spans.set(event.phases, span)
      api.propagation.inject(api.trace.setSpan(parent, span), event, ATTEMPT_HEADERS)
    },
    attempt(event) {
      const { phases } = event
      const span = phases === undefined ? undefined : spans.get(phases)
      if (span === undefined || phases === undefined) return
      spans.delete(phases)
      if (event.status !== undefined) span.setAttribute('http.response.status_code', event.status)
      if (event.aborted && event.error === undefined) span.setAttribute('gateway.aborted', true)
      else {
        const type = errorType(event.status, event.error)
        if (type !== undefined) {
          span.setAttribute('error.type', type)
          span.setStatus({
            code: api.SpanStatusCode.ERROR,
            ...(event.error === undefined ? {} : { message: FAILURES[event.error.code].summary }),
          })
        }
      }
      span.end(phases.firstByte ?? phases.ended)
    },
  }
}

/**
 * The parent of an attempt's span: the active context when it holds a span (the app's HTTP
 * instrumentation, or the route's own), else the client's `traceparent`, extracted with the global
 * propagator into the active context.
 */
function parentContext(api: OpenTelemetryApi, clientHeaders: readonly string[] | undefined): Context {
  const active = api.context.active()
  if (clientHeaders === undefined || api.trace.getSpan(active) !== undefined) return active
  return api.propagation.extract(active, clientHeaders, RAW_HEADERS)
}

function withoutQuery(path: string): string {
  const at = path.indexOf('?')
  return at === -1 ? path : path.slice(0, at)
}
