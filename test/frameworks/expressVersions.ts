import type { NextFunction, Request, RequestHandler, Response } from 'express'
import express from 'express'
import express4 from 'express4'

/** An Express major that the contract and adapter suites run on. */
export interface ExpressVersion {
  /** The suites' describe name. */
  readonly name: string
  readonly express: typeof express
  /**
   * Whether the router hands a rejected route promise to the error handlers (Express 5). Express 4
   * drops it (an unhandled rejection: the request hangs, Node ends the process), so its routes pass
   * their errors on with `next(error)`, as the README's Express 4 note shows.
   */
  readonly catchesRejections: boolean
}

export const EXPRESS_5: ExpressVersion = { name: 'express 5', express, catchesRejections: true }

/**
 * Express 4 (the `express4` npm alias). Its module is typed with Express 5's types here: the adapter's
 * declarations are compiled against @types/express 5, which an Express 4 app's types can't meet in
 * one program; test/types checks the adapter against @types/express 4 on its own.
 */
export const EXPRESS_4: ExpressVersion = {
  name: 'express 4',
  express: express4 as unknown as typeof express,
  catchesRejections: false,
}

export const EXPRESS_VERSIONS: readonly ExpressVersion[] = [EXPRESS_5, EXPRESS_4]

/** An async route as each version's users write it: as is on Express 5, its rejection passed to `next` on 4. */
export function asyncRoute(
  version: ExpressVersion,
  handler: (req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  if (version.catchesRejections) return handler
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next)
  }
}
