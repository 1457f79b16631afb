/** The first value of a header in undici's raw header lines (`name` in lower case). */
export function rawHeaderValue(raw: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i] as Buffer
    if (field.length === name.length && field.toString('latin1').toLowerCase() === name) {
      return (raw[i + 1] as Buffer).toString('latin1')
    }
  }
  return undefined
}
