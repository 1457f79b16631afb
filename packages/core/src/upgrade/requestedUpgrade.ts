/**
 * The protocol a request asks to switch to, lower-case and without a version (`websocket`), or
 * `undefined` when it asks for none: an `Upgrade` field counts only when `Connection` names it
 * (RFC 9110 §7.8), as a proxy must read it. Only the first protocol offered is taken.
 */
export function requestedUpgrade(rawHeaders: readonly string[]): string | undefined {
  let upgrade: string | undefined
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 7 && name.toLowerCase() === 'upgrade') {
      upgrade = rawHeaders[i + 1] as string
      break
    }
  }
  // nearly every request asks for none: its `Connection` (keep-alive) is not even looked at
  if (upgrade === undefined || !connectionNamesUpgrade(rawHeaders)) return undefined
  const first = (upgrade.split(',')[0] as string).trim()
  const slash = first.indexOf('/')
  const protocol = (slash === -1 ? first : first.slice(0, slash)).toLowerCase()
  return protocol === '' ? undefined : protocol
}

/** Whether a `Connection` field line names `upgrade`. */
function connectionNamesUpgrade(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue
    for (const token of (rawHeaders[i + 1] as string).split(','))
      if (token.trim().toLowerCase() === 'upgrade') return true
  }
  return false
}
