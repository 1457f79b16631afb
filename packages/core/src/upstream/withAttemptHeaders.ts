import type { Dispatcher } from 'undici'

type Headers = Dispatcher.DispatchOptions['headers']

/**
 * A request's headers with one attempt's own fields (`[name, value, …]`, lower-case names) in place
 * of the request's fields of those names: the request's headers are built once and shared by its
 * attempts, a `traceparent` differs per attempt. A new list or record; `headers` is left as it is.
 *
 * Only names of the same length are lower-cased and compared, so a pass over the usual dozen or two
 * fields costs a few length checks each.
 */
export function withAttemptHeaders(headers: Headers, own: readonly string[]): Headers {
  if (headers === null || headers === undefined) return own.slice()
  if (Array.isArray(headers)) {
    const merged: string[] = []
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string
      if (!replaced(name, own)) merged.push(name, headers[i + 1] as string)
    }
    for (const line of own) merged.push(line)
    return merged
  }
  const record: Record<string, string | string[] | undefined> = {}
  const entries =
    Symbol.iterator in headers
      ? (headers as Iterable<[string, string | string[] | undefined]>)
      : Object.entries(headers as Record<string, string | string[] | undefined>)
  for (const [name, value] of entries) if (!replaced(name, own)) record[name] = value
  for (let i = 0; i < own.length; i += 2) record[own[i] as string] = own[i + 1] as string
  return record
}

/** Whether an attempt's own fields replace the field `name`. */
function replaced(name: string, own: readonly string[]): boolean {
  for (let i = 0; i < own.length; i += 2) {
    const ownName = own[i] as string
    if (name.length === ownName.length && name.toLowerCase() === ownName) return true
  }
  return false
}
