import { connectionTokens, HOP_BY_HOP } from '../http/hopByHop.js'

/**
 * The `101 Switching Protocols` head the client gets, from the upstream's: `Upgrade` with the
 * protocol switched to and `Connection: Upgrade`, then the upstream's other fields as they came
 * (`Sec-WebSocket-Accept`, `-Protocol`, `-Extensions`, cookies…), without the hop-by-hop ones and
 * those its `Connection` names.
 */
export function switchingProtocols(raw: readonly Buffer[], protocol: string): Buffer {
  let named: Set<string> | undefined
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as Buffer).toString('latin1').toLowerCase() === 'connection') {
      named = connectionTokens((raw[i + 1] as Buffer).toString('latin1'), named)
    }
  }
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${protocol}\r\nConnection: Upgrade\r\n`
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1')
    const lower = name.toLowerCase()
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue
    head += `${name}: ${(raw[i + 1] as Buffer).toString('latin1')}\r\n`
  }
  return Buffer.from(`${head}\r\n`, 'latin1')
}

/** The protocol a `101` switched to, from its `Upgrade` field (lower-case, without a version). */
export function switchedTo(raw: readonly Buffer[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as Buffer).toString('latin1').toLowerCase() === 'upgrade') {
      const value = (raw[i + 1] as Buffer).toString('latin1').trim()
      const slash = value.indexOf('/')
      return (slash === -1 ? value : value.slice(0, slash)).toLowerCase()
    }
  }
  return undefined
}
