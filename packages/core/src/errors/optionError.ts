/** The setup error for a bad option: names the option, what it expected and what it got. */
export function optionError(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`gateway-middleware: option "${name}" expected ${expected}, got ${describe(got)}`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value instanceof URL) return `URL ${JSON.stringify(value.href)}`
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object' && value !== null) return 'an object'
  return String(value)
}
