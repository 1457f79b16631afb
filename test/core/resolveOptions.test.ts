import { describe, expect, it } from 'vitest'
import {
  DEFAULT_ALLOW_TRACE,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_RESERIALIZE_BODY,
  DEFAULT_REWRITE_BODY_LIMIT,
  DEFAULT_TOTAL_TIMEOUT_MS,
} from '~core/options/defaults.js'
import { resolveOptions } from '~core/options/resolveOptions.js'

const target = 'http://127.0.0.1:4000'

describe('resolveOptions', () => {
  it('fills every default from the named constants', () => {
    const resolved = resolveOptions({ target })
    expect(resolved.timeout).toEqual({
      connect: DEFAULT_CONNECT_TIMEOUT_MS,
      queue: 250,
      headers: 30_000,
      idle: 30_000,
      total: DEFAULT_TOTAL_TIMEOUT_MS,
    })
    expect(resolved.tls.rejectUnauthorized).toBe(true)
    expect(resolved.preserveHost).toBe(false)
    expect(resolved.allowTrace).toBe(DEFAULT_ALLOW_TRACE)
    expect(resolved.trust).toBeUndefined()
    expect(resolved.proxyName).toBe('gateway-middleware')
    expect(Object.isFrozen(resolved)).toBe(true)
  })

  it('rewriteResponseBody: exact types lower-cased, type/* wildcards apart, the limit from its constant; off by default, and so is reserializeBody', () => {
    expect(resolveOptions({ target }).rewriteResponseBody).toBeUndefined()
    expect(resolveOptions({ target }).reserializeBody).toBe(DEFAULT_RESERIALIZE_BODY)
    const rewrite = (body: Buffer) => body
    const resolved = resolveOptions({
      target,
      rewriteResponseBody: { types: ['Text/HTML', 'text/*', 'application/ld+json'], rewrite },
    })
    expect(resolved.rewriteResponseBody).toEqual({
      types: new Set(['text/html', 'application/ld+json']),
      wildcards: new Set(['text']),
      rewrite,
      limit: DEFAULT_REWRITE_BODY_LIMIT,
    })
  })

  it('without a target the gateway guards routes', () => {
    expect(resolveOptions({ timeout: { total: 5000 } }).targets).toEqual([])
  })

  it('a target function: no static targets, its origins bounded by limits.origins (100 by default)', () => {
    const route = (): string => target
    const resolved = resolveOptions({ target: route })
    expect(resolved.targets).toEqual([])
    expect(resolved.targetFunction).toBe(route)
    expect(resolved.originLimit).toBe(100)
    expect(resolveOptions({ target: route, limits: { origins: 3 } }).originLimit).toBe(3)
  })

  it('guard mode takes concurrency: the limit per origin of its calls', () => {
    expect(resolveOptions({ concurrency: 3 }).concurrency).toBe(3)
  })

  it('false turns a timeout phase off', () => {
    expect(resolveOptions({ target, timeout: { idle: false, total: false } }).timeout).toMatchObject({
      idle: 0,
      total: 0,
    })
  })

  it('telemetry: the global providers by default, given ones as they are, false for none', () => {
    expect(resolveOptions({ target }).telemetry).toEqual({
      metrics: true,
      meterProvider: undefined,
      traces: true,
      tracerProvider: undefined,
    })
    const meterProvider = { getMeter: () => ({}) }
    expect(resolveOptions({ target, telemetry: { meterProvider, tracerProvider: false } }).telemetry).toEqual({
      metrics: true,
      meterProvider,
      traces: false,
      tracerProvider: undefined,
    })
    expect(resolveOptions({ target, telemetry: false }).telemetry).toBeUndefined()
    expect(
      resolveOptions({ target, telemetry: { meterProvider: false, tracerProvider: false } }).telemetry,
    ).toBeUndefined()
  })

  it('http2: off by default; on for https: targets (one among several will do) and in guard mode', () => {
    expect(resolveOptions({ target }).http2).toBe(false)
    expect(resolveOptions({ target: [target, 'https://127.0.0.1:4443'], http2: true }).http2).toBe(true)
    expect(resolveOptions({ http2: true }).http2).toBe(true)
  })

  it.each([
    [{ delay: 'p95' }, undefined, 95],
    [{ delay: 'p50' }, undefined, 50],
    [{ delay: 'p99' }, undefined, 99],
    [{ delay: 120 }, 120, undefined],
  ])('hedge %j: delay %j, percentile %j', (hedge, delay, percentile) => {
    expect(resolveOptions({ target, hedge: hedge as never }).hedge).toMatchObject({ delay, percentile })
  })

  it('splits the target into origin and path prefix', () => {
    const [resolved] = resolveOptions({ target: 'https://Example.test:8443/v1/' }).targets
    expect(resolved?.origin).toBe('https://example.test:8443')
    expect(resolved?.basePath).toBe('/v1')
  })

  it.each([
    [{ target: 'ftp://127.0.0.1' }, /"target" expected an http: or https: URL .* got "ftp:\/\/127.0.0.1"/],
    [{ target: 'not a url' }, /"target" expected .* got "not a url"/],
    [{ target: '' }, /"target" expected .* got ""/],
    [{ rewritePath: (p: string) => p }, /"rewritePath" expected a target to proxy to .* got a function/],
    [{ classifyError: 'no' }, /"classifyError" expected a function, got "no"/],
    [{ target, limits: { body: -1 } }, /"limits.body" expected a positive integer, got -1/],
    [
      { target, limits: { bodies: 1 } },
      /"limits.bodies" expected one of limits.body, limits.queue, limits.origins \(unknown option\), got 1/,
    ],
    [{ target, gracePeriod: 'soon' }, /"gracePeriod" expected a whole number ≥ 0, got "soon"/],
    [{ target, retry: { limit: -1 } }, /"retry.limit" expected a whole number ≥ 0, got -1/],
    [{ target, retry: { on: ['timeout'] } }, /"retry.on" expected a list of failure kinds/],
    [{ target, retry: { statusCodes: [200] } }, /"retry.statusCodes" expected a list of 4xx\/5xx statuses/],
    [
      { target, circuit: { halfOpenAfter: 5000, maxHalfOpenAfter: 1000 } },
      /"circuit.maxHalfOpenAfter" expected at least/,
    ],
    [{ target: [] }, /"target" expected at least one URL/],
    [{ target, concurrency: 0 }, /"concurrency" expected a positive integer, got 0/],
    [{ target, limits: { queue: -1 } }, /"limits.queue" expected a whole number ≥ 0, got -1/],
    [{ hedge: { delay: 5 } }, /"hedge" expected a target to proxy to/],
    [{ target: (): string => target, limits: { origins: 0 } }, /"limits.origins" expected a positive integer, got 0/],
    [{ target, limits: { origins: 10 } }, /"limits.origins" expected a target function or guard mode/],
    [
      { target: (): string => target, healthCheck: { path: '/healthz' } },
      /"healthCheck" expected static targets to probe \(a target function's origins get passive health/,
    ],
    [{ target, logger: { info() {} } }, /"logger" expected a logger with error, warn, info and debug methods/],
    [{ target, upgrade: { protocols: ['h2c'] } }, /"upgrade.protocols" expected protocols other than h2c/],
    [{ target, upgrade: { protocols: ['bad token'] } }, /"upgrade.protocols" expected a list of protocol tokens/],
    [{ target, upgrade: { idle: 0 } }, /"upgrade.idle" expected a positive number of milliseconds/],
    [{ upgrade: {} }, /"upgrade" expected a target to proxy to/],
    [{ target: ['http://127.0.0.1:1', 'ftp://x'] }, /"target\[1\]" expected an http: or https: URL/],
    [{ target: 'http://user:pw@127.0.0.1' }, /"target" expected a URL without credentials/],
    [
      { target, timeout: { connect: -1 } },
      /"timeout.connect" expected a positive number of milliseconds, or false .* got -1/,
    ],
    [{ target, timeout: { headers: 0 } }, /"timeout.headers" expected a positive number .* got 0/],
    [{ target, timeout: { idle: '300' } }, /"timeout.idle" expected a positive number .* got "300"/],
    [{ target, timeout: { total: true } }, /"timeout.total" expected .* got true/],
    [
      { target, timeout: { header: 300 } },
      /"timeout.header" expected one of timeout.connect, timeout.queue, timeout.headers, timeout.idle, timeout.total \(unknown option\), got 300/,
    ],
    [{ target, timout: {} }, /"timout" expected one of target, timeout, .* \(unknown option\), got an object/],
    [{ target, pool: { connections: 1.5 } }, /"pool.connections" expected a positive integer, got 1.5/],
    [{ target, tls: { rejectUnauthorized: 'no' } }, /"tls.rejectUnauthorized" expected true or false, got "no"/],
    [{ target, tls: { cert: 'PEM' } }, /"tls.key" expected tls.cert and tls.key together/],
    [{ target, trustProxy: ['not-an-ip'] }, /"trustProxy" expected addresses or CIDRs/],
    [{ target, proxyName: 'bad name;' }, /"proxyName" expected an HTTP token .* got "bad name;"/],
    [{ target, rewritePath: '/x' }, /"rewritePath" expected a function, got "\/x"/],
    [{ target, allowTrace: 'yes' }, /"allowTrace" expected true or false, got "yes"/],
    [{ target: 'https://127.0.0.1:1', http2: 'yes' }, /"http2" expected true or false, got "yes"/],
    [
      { target: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], http2: true },
      /"http2" expected an https: target to negotiate HTTP\/2 with \(ALPN; h2c, .* got true/,
    ],
    [{ allowTrace: true }, /"allowTrace" expected a target to proxy to .* got true/],
    [{ target, telemetry: true }, /"telemetry" expected an object, got true/],
    [
      { target, telemetry: { meterProvider: {} } },
      /"telemetry.meterProvider" expected an OpenTelemetry MeterProvider \(with getMeter\(\)\), or false/,
    ],
    [
      { target, telemetry: { tracerProvider: 'global' } },
      /"telemetry.tracerProvider" expected an OpenTelemetry TracerProvider .* got "global"/,
    ],
    [
      { target, telemetry: { traces: false } },
      /"telemetry.traces" expected one of telemetry.meterProvider, telemetry.tracerProvider \(unknown option\)/,
    ],
    [{ target, reserializeBody: 'yes' }, /"reserializeBody" expected true or false, got "yes"/],
    [{ reserializeBody: true }, /"reserializeBody" expected a target to proxy to/],
    [{ rewriteResponseBody: { types: ['text/html'], rewrite: String } }, /"rewriteResponseBody" expected a target/],
    [
      { target, rewriteResponseBody: { types: [], rewrite: String } },
      /"rewriteResponseBody.types" expected a non-empty list/,
    ],
    [{ target, rewriteResponseBody: { types: 'text/html', rewrite: String } }, /"rewriteResponseBody.types" expected/],
    [
      { target, rewriteResponseBody: { types: ['text/html; charset=utf-8'], rewrite: String } },
      /"rewriteResponseBody.types\[0\]" expected a media type such as 'text\/html' \(no parameters\), got "text\/html; charset=utf-8"/,
    ],
    [{ target, rewriteResponseBody: { types: ['*/*'], rewrite: String } }, /"rewriteResponseBody.types\[0\]" expected/],
    [
      { target, rewriteResponseBody: { types: ['html'], rewrite: String } },
      /"rewriteResponseBody.types\[0\]" expected/,
    ],
    [
      { target, rewriteResponseBody: { types: ['text/html'] } },
      /"rewriteResponseBody.rewrite" expected a function, got undefined/,
    ],
    [
      { target, rewriteResponseBody: { types: ['text/html'], rewrite: String, limit: 0 } },
      /"rewriteResponseBody.limit" expected a positive integer, got 0/,
    ],
    [
      { target, rewriteResponseBody: { types: ['text/html'], rewrite: String, max: 1 } },
      /"rewriteResponseBody.max" expected one of rewriteResponseBody.types, rewriteResponseBody.rewrite, rewriteResponseBody.limit \(unknown option\)/,
    ],
    [{ target, hedge: { delay: 'p100' } }, /"hedge.delay" expected .*'p50' to 'p99'.* got "p100"/],
    [{ target, hedge: { delay: '95' } }, /"hedge.delay" expected .*'p50' to 'p99'.* got "95"/],
    [{ target, hedge: { delay: 'p0' } }, /"hedge.delay" expected .*'p50' to 'p99'.* got "p0"/],
    [{ target, hedge: { delay: 'p9' } }, /"hedge.delay" expected .* got "p9"/],
    [{ target, hedge: { delay: 0 } }, /"hedge.delay" expected a positive integer of milliseconds.* got 0/],
    [{ target, hedge: {} }, /"hedge.delay" expected .* got undefined/],
  ])('rejects %j at setup with a message naming the option, the expectation and the value', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(TypeError)
    expect(() => resolveOptions(options as never)).toThrow(message)
  })
})
