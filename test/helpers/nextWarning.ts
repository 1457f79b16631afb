/** Resolves with the next process warning of a code (the gateway warns once per misuse). */
export function nextWarning(code: string): Promise<Error> {
  return new Promise((resolve) => {
    const listener = (warning: Error & { code?: string }) => {
      if (warning.code !== code) return
      process.off('warning', listener)
      resolve(warning)
    }
    process.on('warning', listener)
  })
}
