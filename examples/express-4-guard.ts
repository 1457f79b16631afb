import { gatewayErrorHandler, gatewayMiddleware } from '@gateway-middleware/express'
import express, { type NextFunction, type Request, type Response } from 'express'

// Express 4 drops a rejected promise from an async route: hand the error to next() yourself
const route =
  (handler: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next)
  }

const app = express()
app.use(gatewayMiddleware({ timeout: { total: 5000 } }))
app.get(
  '/profile',
  route(async (req, res) => {
    const { body } = await req.gateway.request('http://127.0.0.1:4001/me')
    res.json(await body.json())
  }),
)
app.use(gatewayErrorHandler()) // sees the upstream failure: a 502/504 page, not a hung request
app.listen(3000)
