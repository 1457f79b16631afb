import autocannon from 'autocannon'

/**
 * @typedef {object} LoadRequest
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} [headers]
 * @property {Buffer} [body]
 */

/**
 * @typedef {object} LoadResult
 * @property {number} rps responses per second (any status)
 * @property {number} p50 median latency, ms
 * @property {number} p99 99th percentile latency, ms
 * @property {number} errors socket errors and timeouts
 * @property {number} non2xx responses with another status than 2xx
 * @property {Record<string, number>} statuses responses by status code
 */

/**
 * Drive `origin` with autocannon for `duration` seconds over `connections` keep-alive connections
 * (no pipelining), all sending the same request.
 *
 * @param {string} origin
 * @param {LoadRequest} request
 * @param {{ connections: number, duration: number }} load
 * @returns {Promise<LoadResult>}
 */
export async function measureLoad(origin, request, { connections, duration }) {
  const result = await autocannon({
    url: `${origin}${request.path}`,
    method: request.method,
    headers: request.headers,
    body: request.body,
    connections,
    duration,
  })
  /** @type {Record<string, number>} */
  const statuses = {}
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = count
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
  }
}
