/** The first value of a header in a flat `[name, value, …]` list of strings (`name` in lower case). */
export function headerValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i] as string
    if (field.length === name.length && field.toLowerCase() === name) return raw[i + 1]
  }
  return undefined
}
