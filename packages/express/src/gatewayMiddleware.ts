import {
  clientGoneSignal,
  createGateway,
  fromNodeRequest,
  type GatewayOptions,
  type GatewayResponse,
  writeResponse,
} from '@gateway-middleware/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

/** Express middleware with the gateway's lifecycle attached. */
export interface GatewayMiddleware extends RequestHandler {
  /** Close the upstream connection pool. */
  close(): Promise<void>
}

/**
 * Proxy the requests that reach this middleware to `options.target`, answering 502/504 correctly
 * for every upstream failure. Mount it before any body parser: it streams the body itself.
 *
 * ```ts
 * app.use('/api', gatewayMiddleware({ target: 'http://127.0.0.1:4000' }))
 * ```
 */
export function gatewayMiddleware(options: GatewayOptions): GatewayMiddleware {
  const gateway = createGateway(options)
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const request = fromNodeRequest(req, { url: req.url, mountPath: req.baseUrl, signal: clientGoneSignal(res) })
    gateway
      .proxy(request)
      .then((response: GatewayResponse | undefined) => {
        if (response !== undefined) writeResponse(res, response)
      })
      .catch(next)
  }
  return Object.assign(middleware, { close: () => gateway.close() })
}
