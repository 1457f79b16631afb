/**
 * @typedef {object} TargetConfig
 * @property {string} upstream origin of the upstream, e.g. `http://127.0.0.1:40123`
 * @property {Record<string, unknown>} gatewayOptions extra options for our gateway (the failure case turns retries off)
 * @property {boolean} keepAlive whether an http-proxy-based peer gets `new http.Agent({ keepAlive: true })`
 * @property {boolean} telemetry whether ours registers the OpenTelemetry SDK before the gateway is made
 *   (`--telemetry`: see registerTelemetry.mjs)
 */

/**
 * What the parent tells a target process: read once at its start, from the environment the
 * parent set (`BENCH_UPSTREAM`, `BENCH_GATEWAY_OPTIONS`) and its arguments (`--keep-alive`,
 * `--telemetry`).
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
  return {
    upstream,
    gatewayOptions: JSON.parse(process.env.BENCH_GATEWAY_OPTIONS || '{}'),
    keepAlive: process.argv.includes('--keep-alive'),
    telemetry: process.argv.includes('--telemetry'),
  }
}
