/**
 * @typedef {object} Case
 * @property {string} name the name in `--only`
 * @property {'load' | 'stream' | 'failure'} kind load: autocannon; stream: one large download per run;
 *   failure: autocannon against a refused upstream, then the proxy's sockets are counted
 * @property {string} title
 * @property {import('../measure/measureLoad.mjs').LoadRequest} request the path is the upstream's; targets add their prefix
 * @property {readonly string[]} targets ids from targets.mjs, in table order
 * @property {Record<string, unknown>} [gatewayOptions] options our gateway gets in this case
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

/** The upload of the post-64k case. */
const UPLOAD = Buffer.alloc(64 * 1024, 'u')

/** Every case, in the order they run. @type {readonly Case[]} */
export const cases = Object.freeze([
  {
    name: 'get-small',
    kind: 'load',
    title: 'GET, 100-byte response body',
    request: { method: 'GET', path: '/small' },
    // the -otel variants: the cost of metrics + traces (issue 14), against the plain rows
    targets: ['direct', ...PROXIES, 'ours-express-otel', 'ours-koa-otel', 'ours-fastify-otel'],
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
    targets: [...PROXIES, 'ours-express-defaults'],
    gatewayOptions: { retry: false, circuit: false },
  },
])
