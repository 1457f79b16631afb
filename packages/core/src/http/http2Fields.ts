/**
 * Fields HTTP/2 forbids as connection-specific (RFC 9113 §8.2.2, and `HTTP2-Settings`, RFC 7540
 * §3.2.1), lower-case. Node's HTTP/2 client throws on them, where undici 7 does not catch it.
 */
const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

/** Whether a field (its name in lower case) may not go on an HTTP/2 request: `TE` only as `trailers`. */
export function isConnectionSpecific(name: string, value: string): boolean {
  return CONNECTION_SPECIFIC.has(name) || (name === 'te' && value.trim().toLowerCase() !== 'trailers')
}

/**
 * An app's request headers (guard mode, `http2: true`) as HTTP/2 takes them: names in lower case (so
 * undici joins a field given twice in different case, which Node would refuse for a single-value
 * field), the connection-specific fields left out. A flat `[name, value, …]` list.
 */
export function http2Fields(headers: Readonly<Record<string, string | string[]>> | readonly string[]): string[] {
  const flat: string[] = []
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase()
    if (!isConnectionSpecific(lower, value)) flat.push(lower, value)
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) add(String(headers[i]), String(headers[i + 1]))
    return flat
  }
  const record = headers as Readonly<Record<string, string | string[] | undefined>>
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (Array.isArray(value)) for (const item of value) add(name, String(item))
    else if (value !== undefined) add(name, String(value))
  }
  return flat
}
