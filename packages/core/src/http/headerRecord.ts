/** Header fields as plain data: lower-case names, several values as an array. */
export type HeaderRecord = Record<string, string | string[]>

/** A flat `[name, value, …]` list as a record: lower-case names, repeated fields as arrays. */
export function headerRecord(flat: readonly string[]): HeaderRecord {
  const record: HeaderRecord = {}
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase()
    const value = flat[i + 1] as string
    const existing = record[name]
    if (existing === undefined) record[name] = value
    else if (Array.isArray(existing)) existing.push(value)
    else record[name] = [existing, value]
  }
  return record
}
