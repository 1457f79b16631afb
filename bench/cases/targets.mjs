/**
 * @typedef {object} Target
 * @property {string} id the name in tables and in `--targets`
 * @property {string} framework peers are compared within one framework
 * @property {'direct' | 'ours' | 'peer'} role
 * @property {string} [script] file under bench/targets/ (none: the upstream itself)
 * @property {string[]} [args] arguments of the script
 * @property {string} prefix the path the target serves the upstream under
 * @property {boolean} [keepDefaults] ours, ignoring a case's `gatewayOptions`
 * @property {string} description
 */

/** Every target the benchmark knows; each case lists the ones it runs. @type {readonly Target[]} */
export const targets = Object.freeze([
  { id: 'direct', framework: 'node:http', role: 'direct', prefix: '', description: 'the upstream itself: the ceiling' },
  {
    id: 'ours-express',
    framework: 'express',
    role: 'ours',
    script: 'ours-express.mjs',
    prefix: '/api',
    description: '@gateway-middleware/express, defaults',
  },
  {
    id: 'ours-koa',
    framework: 'koa',
    role: 'ours',
    script: 'ours-koa.mjs',
    prefix: '/api',
    description: '@gateway-middleware/koa under koa-mount, defaults',
  },
  {
    id: 'ours-fastify',
    framework: 'fastify',
    role: 'ours',
    script: 'ours-fastify.mjs',
    prefix: '/api',
    description: '@gateway-middleware/fastify, defaults',
  },
  ...['express', 'koa', 'fastify'].map((framework) => ({
    id: `ours-${framework}-otel`,
    framework,
    role: 'ours',
    script: `ours-${framework}.mjs`,
    args: ['--telemetry'],
    prefix: '/api',
    description: `ours on ${framework}, the OpenTelemetry SDK registered (metrics + traces, exported nowhere)`,
  })),
  {
    id: 'ours-express-defaults',
    framework: 'express',
    role: 'ours',
    script: 'ours-express.mjs',
    prefix: '/api',
    keepDefaults: true,
    description: 'ours on Express with retries and passive health on (the defaults)',
  },
  {
    id: 'http-proxy',
    framework: 'node:http',
    role: 'peer',
    script: 'http-proxy.mjs',
    prefix: '/api',
    description: 'http-proxy 1 on node:http, no agent (its default)',
  },
  {
    id: 'http-proxy-ka',
    framework: 'node:http',
    role: 'peer',
    script: 'http-proxy.mjs',
    args: ['--keep-alive'],
    prefix: '/api',
    description: 'http-proxy 1 on node:http, keep-alive agent',
  },
  {
    id: 'http-proxy-middleware',
    framework: 'express',
    role: 'peer',
    script: 'http-proxy-middleware.mjs',
    prefix: '/api',
    description: 'http-proxy-middleware 3 on Express, no agent',
  },
  {
    id: 'http-proxy-middleware-ka',
    framework: 'express',
    role: 'peer',
    script: 'http-proxy-middleware.mjs',
    args: ['--keep-alive'],
    prefix: '/api',
    description: 'http-proxy-middleware 3 on Express, keep-alive agent',
  },
  {
    id: 'express-http-proxy',
    framework: 'express',
    role: 'peer',
    script: 'express-http-proxy.mjs',
    prefix: '/api',
    description: 'express-http-proxy 2, parseReqBody: false (it sends Connection: close upstream)',
  },
  {
    id: 'express-http-proxy-ka',
    framework: 'express',
    role: 'peer',
    script: 'express-http-proxy.mjs',
    args: ['--keep-alive'],
    prefix: '/api',
    description: 'express-http-proxy 2, keep-alive agent and Connection: keep-alive via proxyReqOptDecorator',
  },
  {
    id: 'reply-from',
    framework: 'fastify',
    role: 'peer',
    script: 'reply-from.mjs',
    prefix: '/api',
    description: '@fastify/reply-from 12, its default undici pool',
  },
  {
    id: 'koa-proxies',
    framework: 'koa',
    role: 'peer',
    script: 'koa-proxies.mjs',
    prefix: '/api',
    description: 'koa-proxies 0.12 (http-proxy), no agent',
  },
  {
    id: 'koa-proxies-ka',
    framework: 'koa',
    role: 'peer',
    script: 'koa-proxies.mjs',
    args: ['--keep-alive'],
    prefix: '/api',
    description: 'koa-proxies 0.12 (http-proxy), keep-alive agent',
  },
  {
    id: 'guard-ours-express',
    framework: 'express',
    role: 'ours',
    script: 'guard-ours-express.mjs',
    prefix: '/api',
    description: 'an Express route calling req.gateway.request() once',
  },
  {
    id: 'guard-undici-express',
    framework: 'express',
    role: 'peer',
    script: 'guard-undici-express.mjs',
    prefix: '/api',
    description: 'the same route calling undici.request() (128 connections)',
  },
])
