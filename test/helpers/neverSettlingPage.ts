import type { FailureContext, GatewayOptions } from '@gateway-middleware/core'

/** A guard with a deadline and a custom 504 page that never settles, and what became of that page. */
export interface NeverSettlingPage {
  /** `timeout.total` 300 ms, the 504 page, and an onError that collects the page's failures */
  readonly options: GatewayOptions
  /** the contexts onError was told of for a failed error page */
  readonly told: FailureContext[]
  /** how often the 504 page was asked for */
  readonly asked: { pages: number }
}

/** Gateway options whose deadline's 504 page never settles (the gateway gives a page one second). */
export function neverSettlingPage(): NeverSettlingPage {
  const told: FailureContext[] = []
  const asked = { pages: 0 }
  const options: GatewayOptions = {
    timeout: { total: 300 },
    errorPages: {
      504: () => {
        asked.pages++
        return new Promise<string>(() => {})
      },
    },
    onError: (_error, context) => {
      if (context.errorPage !== undefined) told.push(context)
    },
  }
  return { options, told, asked }
}
