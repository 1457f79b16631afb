/**
 * @typedef {object} TargetConfig
 * @property {string} upstream origin of the upstream, e.g. `http://127.0.0.1:40123`
 * @property {Record<string, unknown>} gatewayOptions extra options for our gateway (the failure case turns retries off;
 *   `--concurrency` and `--upstream-timeout` add `concurrency` and `timeout.headers`)
 * @property {boolean} keepAlive whether an http-proxy-based peer gets `new http.Agent({ keepAlive: true })`
 * @property {boolean} webSocket whether a peer turns its WebSocket support on (the ws cases; ours always has it)
 * @property {number | undefined} upstreamTimeout ms a peer waits for the upstream's answer (`--upstream-timeout=<ms>`,
 *   the overload case); undefined: its default
 * @property {boolean} telemetry whether ours registers the OpenTelemetry SDK before the gateway is made
 *   (`--telemetry`: see registerTelemetry.mjs)
 */

/**
 * What the parent tells a target process: read once at its start, from the environment the
 * parent set (`BENCH_UPSTREAM`, `BENCH_GATEWAY_OPTIONS`) and its arguments (`--keep-alive`, `--ws`,
 * `--concurrency=<n | adaptive>` for ours, `--upstream-timeout=<ms>`, `--telemetry`).
 *
 * @returns {TargetConfig}
 */
export function targetConfig() {
  const upstream = process.env.BENCH_UPSTREAM
  if (upstream === undefined || upstream === '') {
    throw new TypeError(
      'bench target: BENCH_UPSTREAM expected the upstream origin, got nothing (run it through bench/run.mjs)',
    )
  }
  const concurrency = argument('--concurrency')
  const timeout = argument('--upstream-timeout')
  const upstreamTimeout = timeout === undefined ? undefined : Number(timeout)
  const fromParent = JSON.parse(process.env.BENCH_GATEWAY_OPTIONS || '{}')
  return {
    upstream,
    gatewayOptions: {
      ...fromParent,
      ...(concurrency === undefined
        ? {}
        : { concurrency: concurrency === 'adaptive' ? 'adaptive' : Number(concurrency) }),
      ...(upstreamTimeout === undefined ? {} : { timeout: { ...fromParent.timeout, headers: upstreamTimeout } }),
    },
    upstreamTimeout,
    keepAlive: process.argv.includes('--keep-alive'),
    webSocket: process.argv.includes('--ws'),
    telemetry: process.argv.includes('--telemetry'),
  }
}

/** @param {string} name @returns {string | undefined} the value of `name=<value>` among the arguments */
function argument(name) {
  return process.argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1)
}
