const warned = new Set<string>()

/** Emit a process warning once per code: misuse is loud, but not on every request. */
export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return
  warned.add(code)
  process.emitWarning(message, { code })
}
