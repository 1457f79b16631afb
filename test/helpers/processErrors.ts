import { onTestFinished } from 'vitest'

/**
 * The errors the process reports as uncaught exceptions or unhandled rejections from now until the
 * current test finishes: a crash the test itself can assert on (Vitest still reports each one too).
 */
export function processErrors(): unknown[] {
  const seen: unknown[] = []
  const record = (error: unknown): void => {
    seen.push(error)
  }
  process.on('uncaughtException', record)
  process.on('unhandledRejection', record)
  onTestFinished(() => {
    process.off('uncaughtException', record)
    process.off('unhandledRejection', record)
  })
  return seen
}
