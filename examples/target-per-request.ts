import { gatewayMiddleware } from '@gateway-middleware/express'
import express from 'express'

// one backend per host name: an exact lookup, never a substring or prefix match
const BACKENDS = new Map([
  ['shop.example.com', 'http://10.0.0.11:8080'],
  ['blog.example.com', 'http://10.0.0.12:8080'],
])
const TENANTS = new Set(['acme', 'globex'])

const app = express()
app.use(
  gatewayMiddleware({
    target: ({ headers }) => {
      // the Host is one valid field by now; drop its port and compare exactly
      const host = String(headers.host).replace(/:\d+$/, '').toLowerCase()
      const backend = BACKENDS.get(host)
      if (backend !== undefined) return backend
      // a tenant per subdomain, anchored and from a known list: acme.tenants.example.com/x -> /acme/x
      const tenant = /^([a-z]+)\.tenants\.example\.com$/.exec(host)?.[1]
      if (tenant !== undefined && TENANTS.has(tenant)) return `http://10.0.0.20:8080/${tenant}`
      return 'http://10.0.0.10:8080' // everything else: the main site
    },
    limits: { origins: 100 }, // pools kept at a time (the default)
  }),
)
app.listen(3000)
