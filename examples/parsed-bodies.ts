import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

const app = express()
// the app parses bodies for its own routes, before the gateway; verify keeps the original bytes
app.use(express.json({ verify: (req, _res, buf) => Object.assign(req, { rawBody: buf }) }))
app.post('/own', (req, res) => {
  res.json({ got: req.body })
})
// reserializeBody: forward what the parser read (the original bytes, as they are in req.rawBody)
app.use('/api', gatewayMiddleware({ target: 'http://127.0.0.1:4000', reserializeBody: true }))
app.listen(3000)
