/** The type of an error page when `Accept` is missing, is `*\/*` or names nothing offered. */
export const DEFAULT_ERROR_PAGE_TYPE = 'text/html'
/** Longest a custom error page function may take before the default page is sent instead, in ms. */
export const ERROR_PAGE_RENDER_TIMEOUT_MS = 1_000
/** Most distinct `Accept` values whose negotiated error page type is kept; when full, the cache starts over. */
export const ACCEPT_CACHE_ENTRIES = 256
/** Longest `Accept` value whose negotiated type is kept, in characters (longer ones are negotiated each time). */
export const ACCEPT_CACHE_KEY_LENGTH = 512
