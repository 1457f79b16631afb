import { writeResponse } from '@gateway-middleware/core/adapter'
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import { GUARD, type GuardState } from './guardState.js'

/**
 * Put after the guarded routes: answers an upstream failure a route raised (through `req.gateway`,
 * `fetch`, undici, axios, node:http…) with the gateway's 502/504, using the options of the
 * `gatewayMiddleware()` that ran for the request. Anything else (an app bug, a validation error)
 * goes on to the next error handler: Express's 500. It sees what reaches Express's error handling:
 * on Express 5 a rejected async route too, on Express 4 only what the route passed to `next(error)`.
 *
 * Without it, Express's final handler would still answer with the error's status, but prints a
 * stack trace outside production.
 */
export function gatewayErrorHandler(): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const state = (req as Request & { [GUARD]?: GuardState })[GUARD]
    if (state !== undefined) state.handled = true
    // the gateway already answered at the deadline: the route's late error has nowhere to go
    if (state?.guard.responded === true) return
    if (state === undefined || res.headersSent) {
      next(error)
      return
    }
    state.guard
      .failureResponse(error)
      .then((response) => {
        if (response === undefined) next(error)
        else writeResponse(res, response)
      })
      .catch(next)
  }
}
