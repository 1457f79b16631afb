/**
 * TLS fixtures committed under test/fixtures/tls (see its README for how they were made):
 * `ca.pem`/`ca-key.pem`, `server.pem`/`server-key.pem` (signed by the CA, for localhost and 127.0.0.1),
 * `client.pem`/`client-key.pem` (signed by the CA, for mutual TLS) and
 * `self-signed.pem`/`self-signed-key.pem` (not signed by the CA).
 */
import { readFileSync } from 'node:fs'

/** Reads a fixture file, e.g. `fixture('server.pem')`. */
export function fixture(name: string): Buffer {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`invalid TLS fixture name: ${JSON.stringify(name)}`)
  return readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url))
}
