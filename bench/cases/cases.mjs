/**
 * @typedef {object} Case
 * @property {string} name the name in `--only`
 * @property {'load' | 'stream' | 'failure' | 'ws' | 'ws-stream'} kind load: autocannon; stream: one large
 *   download per run; failure: autocannon against a refused upstream, then the proxy's sockets are
 *   counted; ws: WebSocket clients ping-ponging `message`; ws-stream: one large stream of binary
 *   messages over one WebSocket per run
 * @property {string} title
 * @property {import('../measure/measureLoad.mjs').LoadRequest} request the path is the upstream's; targets add their prefix
 * @property {readonly string[]} targets ids from targets.mjs, in table order
 * @property {Record<string, unknown>} [gatewayOptions] options our gateway gets in this case
 * @property {string[]} [targetArgs] arguments every target's script gets in this case (`--ws`: the
 *   peers turn their WebSocket support on)
 * @property {Buffer} [message] ws: what each client sends and waits to get back
 * @property {number} [runs] runs per target, whatever `--runs` says (overload: one long run)
 * @property {OverloadSpec} [overload] overload: the upstream's capacity and what counts as goodput
 */

/**
 * @typedef {object} OverloadSpec
 * @property {number} capacity requests per second the upstream's /work serves at most (8 at a time, 25 ms each)
 * @property {number} serviceMs how long one /work request takes
 * @property {number} deadline ms: only 2xx answered within it count as goodput; every proxy's upstream timeout
 * @property {number} clientTimeout ms after which the load generator gives a request up
 * @property {number} bucketMs width of one point of the goodput-over-time series
 */

/** Proxies, in table order: ours first, then the peers by framework. */
const PROXIES = [
  'ours-express',
  'ours-koa',
  'ours-fastify',
  'http-proxy',
  'http-proxy-ka',
  'http-proxy-middleware',
  'http-proxy-middleware-ka',
  'express-http-proxy',
  'express-http-proxy-ka',
  'reply-from',
  'koa-proxies',
  'koa-proxies-ka',
]

/** The proxies of the WebSocket cases, in table order: ours, then the peers that proxy WebSockets. */
const WS_PROXIES = [
  'ours-express',
  'ours-koa',
  'ours-fastify',
  'http-proxy',
  'http-proxy-middleware',
  'fastify-http-proxy',
]

/** The proxies of the overload case: ours with defaults, a fixed and an adaptive concurrency, and two peers. */
const OVERLOAD_PROXIES = [
  'ours-express',
  'ours-express-c8',
  'ours-express-adaptive',
  'ours-koa',
  'ours-koa-c8',
  'ours-koa-adaptive',
  'ours-fastify',
  'ours-fastify-c8',
  'ours-fastify-adaptive',
  'http-proxy-middleware-ka',
  'reply-from',
]

/** The upstream's /work (upstream.mjs): 8 at a time, 25 ms each. */
const WORK_CONCURRENCY = 8
const WORK_SERVICE_MS = 25
/** Every proxy's upstream timeout in the overload case, and the goodput deadline, in ms. */
const OVERLOAD_DEADLINE_MS = 1_000

/** The upload of the post-64k case. */
const UPLOAD = Buffer.alloc(64 * 1024, 'u')

/** The message of the ws case: 1 KiB, sent as binary. */
const WS_MESSAGE = Buffer.alloc(1024, 'w')

/** Every case, in the order they run. @type {readonly Case[]} */
export const cases = Object.freeze([
  {
    name: 'get-small',
    kind: 'load',
    title: 'GET, 100-byte response body',
    request: { method: 'GET', path: '/small' },
    // the -otel variants: the cost of metrics + traces (issue 14), against the plain rows; sdk-floor:
    // what the SDK costs by itself, so that ours' share is known
    targets: [
      'direct',
      ...PROXIES,
      'ours-express-otel',
      'ours-koa-otel',
      'ours-fastify-otel',
      'sdk-floor',
      'sdk-floor-otel',
    ],
  },
  {
    name: 'get-64k',
    kind: 'load',
    title: 'GET, 64 KiB response body',
    request: { method: 'GET', path: '/64k' },
    targets: ['direct', ...PROXIES],
  },
  {
    name: 'post-64k',
    kind: 'load',
    title: 'POST, 64 KiB request body (application/octet-stream), 100-byte response body',
    request: { method: 'POST', path: '/upload', headers: { 'content-type': 'application/octet-stream' }, body: UPLOAD },
    targets: ['direct', ...PROXIES],
  },
  {
    name: 'guard',
    kind: 'load',
    title: 'guard mode: an Express route making one upstream call (GET, 100-byte body)',
    request: { method: 'GET', path: '/small' },
    targets: ['direct', 'guard-ours-express', 'guard-undici-express'],
  },
  {
    name: 'stream',
    kind: 'stream',
    title: 'streaming: one large download per run through each proxy, read as fast as possible',
    request: { method: 'GET', path: '/stream' },
    targets: ['direct', ...PROXIES],
  },
  {
    name: 'failure',
    kind: 'failure',
    title: 'failure path: the upstream refuses connections (ours: retry and circuit off, like the peers)',
    request: { method: 'GET', path: '/small' },
    targets: [...PROXIES, 'ours-express-defaults', 'ours-koa-defaults', 'ours-fastify-defaults'],
    gatewayOptions: { retry: false, circuit: false },
  },
  {
    name: 'ws',
    kind: 'ws',
    title:
      'WebSocket: each client ping-pongs 1 KiB binary messages over its own WebSocket (send, wait for the echo, send again)',
    request: { method: 'GET', path: '/ws' },
    targets: ['direct', ...WS_PROXIES],
    targetArgs: ['--ws'],
    message: WS_MESSAGE,
  },
  {
    name: 'ws-stream',
    kind: 'ws-stream',
    title:
      'WebSocket streaming: one large stream of 64 KiB binary messages per run over one WebSocket, read as fast as possible',
    request: { method: 'GET', path: '/ws/stream' },
    targets: ['direct', ...WS_PROXIES],
    targetArgs: ['--ws'],
  },
  {
    name: 'overload',
    kind: 'overload',
    title:
      'open-loop GETs at twice the capacity of an upstream serving 8 at a time (25 ms each, the rest queued without limit); goodput is 2xx within 1 s',
    request: { method: 'GET', path: '/work' },
    targets: ['direct', ...OVERLOAD_PROXIES],
    targetArgs: [`--upstream-timeout=${OVERLOAD_DEADLINE_MS}`],
    runs: 1,
    overload: {
      capacity: (WORK_CONCURRENCY * 1000) / WORK_SERVICE_MS,
      serviceMs: WORK_SERVICE_MS,
      deadline: OVERLOAD_DEADLINE_MS,
      clientTimeout: 3_000,
      bucketMs: 500,
    },
  },
])
