let second = Number.NaN
let shown = ''

/**
 * The time an error page gives, in UTC to the second: `2026-11-25T12:34:56Z`. Formatted once per
 * second, however many failures are answered in it.
 */
export function answerTime(now: number = Date.now()): string {
  const current = Math.floor(now / 1000)
  if (current !== second) {
    second = current
    shown = `${new Date(current * 1000).toISOString().slice(0, 19)}Z`
  }
  return shown
}
