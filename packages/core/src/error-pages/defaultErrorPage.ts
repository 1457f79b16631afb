import { isFailureCode, proxyStatusType } from '../errors/failures.js'
import type { TemplateValues } from './compileTemplate.js'
import type { ErrorPageType } from './ErrorPages.js'
import { escapeHtml } from './escapeHtml.js'

/** A hop of the request's way, as the default HTML page shows it. */
interface Hop {
  readonly name: string
  readonly ok: boolean | undefined
  readonly state: string
}

/** The default page's words for one status: what happened, and which hop failed. */
interface StatusWords {
  readonly happened: string
  readonly hops: readonly [Hop, Hop, Hop]
  /** Whose fault it is not; the visitor's, unless the request itself was the trouble. */
  readonly fault?: string
  /** What to do, when reloading in a moment would not help (the same request gets the same answer). */
  readonly todo?: string
}

/** What to do about a request the gateway refuses: sending it again gets the same answer. */
const REFUSED_WHAT_TO_DO =
  'Sending the same request again will not help. If you think it should work, contact the site and give them the request id below.'

const YOU: Hop = { name: 'You', ok: true, state: 'Working' }
const GATEWAY: Hop = { name: 'Gateway', ok: true, state: 'Working' }

const WORDS: Readonly<Record<string, StatusWords>> = {
  502: {
    happened: 'The server acting as a gateway got an invalid response from the service behind it.',
    hops: [YOU, GATEWAY, { name: 'Service', ok: false, state: 'Failed' }],
  },
  503: {
    happened: 'The service behind this gateway is temporarily unavailable.',
    hops: [YOU, GATEWAY, { name: 'Service', ok: false, state: 'Unavailable' }],
  },
  504: {
    happened: 'The server acting as a gateway did not get an answer in time from the service behind it.',
    hops: [YOU, GATEWAY, { name: 'Service', ok: false, state: 'Timed out' }],
  },
  408: {
    happened: 'The request was not sent to this gateway in time, so it was not passed on.',
    hops: [
      { name: 'You', ok: false, state: 'Too slow' },
      GATEWAY,
      { name: 'Service', ok: undefined, state: 'Waiting' },
    ],
    fault: 'The service behind this gateway is fine; a slow or interrupted connection may be the cause.',
  },
  413: {
    happened: 'The request was larger than this gateway accepts, so it was not passed on.',
    hops: [
      { name: 'You', ok: false, state: 'Too large' },
      GATEWAY,
      { name: 'Service', ok: undefined, state: 'Not reached' },
    ],
    fault: 'The service behind this gateway is fine; try a smaller upload.',
  },
  400: {
    happened: 'The request was malformed, so this gateway did not pass it on.',
    hops: [
      { name: 'You', ok: false, state: 'Malformed' },
      GATEWAY,
      { name: 'Service', ok: undefined, state: 'Not reached' },
    ],
    fault: 'The service behind this gateway is fine; the software that sent the request may need fixing.',
    todo: REFUSED_WHAT_TO_DO,
  },
  405: {
    happened: 'This gateway does not pass requests with this method on to the service behind it.',
    hops: [
      { name: 'You', ok: false, state: 'Refused' },
      GATEWAY,
      { name: 'Service', ok: undefined, state: 'Not reached' },
    ],
    fault: 'The service behind this gateway is fine; this kind of request is refused on purpose.',
    todo: REFUSED_WHAT_TO_DO,
  },
  500: {
    happened: 'The gateway could not pass this request on to the service behind it.',
    hops: [
      YOU,
      { name: 'Gateway', ok: false, state: 'Failed' },
      { name: 'Service', ok: undefined, state: 'Not reached' },
    ],
  },
}

const NOT_YOUR_FAULT = 'This is not a problem with your browser, your device or your connection.'
const WHAT_TO_DO =
  'Reload the page in a moment. If it keeps happening, contact the site and give them the request id below.'

/** The default page in the negotiated type. Every value is already free of anything internal. */
export function defaultErrorPage(type: ErrorPageType, values: TemplateValues, received?: number): string {
  return renderDefaultPage(type, values, received, shownTime(values.time))
}

/** The time as the HTML page shows it to people: `2026-11-25 12:34:56`. */
export function shownTime(time: string): string {
  return time.replace('T', ' ').replace('Z', '')
}

/**
 * {@link defaultErrorPage} with the HTML page's shown time given apart from `values.time`, so that
 * `DefaultPages` can mark where each of the values that change per answer goes.
 */
export function renderDefaultPage(
  type: ErrorPageType,
  values: TemplateValues,
  received: number | undefined,
  shown: string,
): string {
  switch (type) {
    case 'text/html':
      return html(values, shown)
    case 'text/plain':
      return text(values)
    default:
      return problemJson(values, received)
  }
}

/**
 * RFC 9457 problem details. `type` is `about:blank` (the title is the status phrase): the failure
 * kind is the RFC 9209 error type in the `proxyStatus` extension member, next to `requestId`; a
 * replaced upstream response has `receivedStatus` instead.
 */
function problemJson(values: TemplateValues, received: number | undefined): string {
  const problem = {
    type: 'about:blank',
    title: values.title,
    status: Number(values.status),
    detail: values.detail,
    requestId: values.requestId,
  }
  if (received !== undefined) return JSON.stringify({ ...problem, receivedStatus: received })
  return JSON.stringify({
    ...problem,
    proxyStatus: isFailureCode(values.code) ? proxyStatusType(values.code) : values.code,
  })
}

function text(values: TemplateValues): string {
  const words = wordsFor(values.status)
  return (
    `${values.status} ${values.title}\n` +
    `${words.happened} ${words.fault ?? NOT_YOUR_FAULT}\n` +
    `${words.todo ?? 'Reload in a moment; if it keeps happening, contact the site with the request id.'}\n\n` +
    `Request id: ${values.requestId}\n` +
    `Time (UTC): ${values.time}\n` +
    (values.code === '' ? `${values.detail}\n` : `Proxy-Status error: ${values.code} (${values.detail})\n`)
  )
}

function wordsFor(status: string): StatusWords {
  return WORDS[status] ?? (WORDS[502] as StatusWords)
}

const STYLE = `
:root{--bg:#f5f6f8;--card:#fff;--fg:#16191d;--muted:#4b5563;--line:#d1d6dd;--ok:#116932;--bad:#b42318;--idle:#6b7280;--code:#eceff3}
@media (prefers-color-scheme:dark){:root{--bg:#111316;--card:#1b1e23;--fg:#eceff3;--muted:#b3bcc8;--line:#383e48;--ok:#6ad492;--bad:#ff9b8f;--idle:#9aa3ae;--code:#272b32}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:42rem;margin:0 auto;padding:clamp(1.5rem,6vw,4rem) 1.25rem 3rem}
.eyebrow{margin:0;color:var(--muted);font-weight:600;font-size:.9rem;letter-spacing:.06em;text-transform:uppercase}
h1{margin:.2rem 0 1rem;font-size:clamp(1.75rem,6vw,2.5rem);line-height:1.15}
h2{margin:2rem 0 .5rem;font-size:1.1rem}
p{margin:0 0 .75rem}
.lead{font-size:1.15rem}
.hops{list-style:none;display:grid;grid-template-columns:repeat(3,1fr);gap:1.5rem;margin:1.75rem 0 0;padding:0}
.hops li{position:relative;background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:.85rem .5rem;text-align:center}
.hops li+li::before{content:"";position:absolute;left:-1.05rem;top:50%;width:.55rem;height:.55rem;border-top:2px solid var(--idle);border-right:2px solid var(--idle);transform:translateY(-50%) rotate(45deg)}
.hops .mark{display:block;font-size:1.6rem;line-height:1.2;font-weight:700}
.hops .name{display:block;font-weight:600}
.hops .state{display:block;font-size:.9rem;color:var(--muted)}
.hops .ok .mark{color:var(--ok)}
.hops .bad{border-color:var(--bad);box-shadow:0 0 0 1px var(--bad)}
.hops .bad .mark,.hops .bad .state{color:var(--bad)}
.hops .idle .mark{color:var(--idle)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0;background:var(--card);border:1px solid var(--line);border-radius:.75rem;padding:1rem 1.1rem}
dt{color:var(--muted)}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
code{font:.95em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:.1em .35em;border-radius:.3em}
@media (max-width:26rem){.hops{gap:1rem}.hops li+li::before{left:-.7rem;width:.4rem;height:.4rem}dl{grid-template-columns:1fr}dt{margin-top:.25rem}}
`
  .trim()
  .replace(/\n/g, '')

function hop(hop: Hop): string {
  const kind = hop.ok === true ? 'ok' : hop.ok === false ? 'bad' : 'idle'
  const mark = hop.ok === true ? '✓' : hop.ok === false ? '✗' : '–'
  return (
    `<li class="${kind}"><span class="mark" aria-hidden="true">${mark}</span>` +
    `<span class="name">${hop.name}</span><span class="state">${hop.state}</span></li>`
  )
}

/** One self-contained page: inline CSS, no script, no external resource (the icon is an empty data: URL). */
function html(values: TemplateValues, shown: string): string {
  const words = wordsFor(values.status)
  const status = escapeHtml(values.status)
  const title = escapeHtml(values.title)
  const time = escapeHtml(values.time)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${status} ${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="eyebrow">Error ${status}</p>
<h1>${title}</h1>
<p class="lead">${words.happened}</p>
<p>${escapeHtml(words.fault ?? NOT_YOUR_FAULT)}</p>
<ol class="hops" aria-label="Where the request stopped">
${words.hops.map(hop).join('\n')}
</ol>
<h2>What you can do</h2>
<p>${words.todo ?? WHAT_TO_DO}</p>
<h2>Details</h2>
<dl>
<dt>Request id</dt>
<dd><code>${escapeHtml(values.requestId)}</code></dd>
<dt>Time (UTC)</dt>
<dd><time datetime="${time}">${escapeHtml(shown)}</time></dd>
<dt>What failed</dt>
<dd>${escapeHtml(values.detail)}</dd>
${values.code === '' ? '' : `<dt>Error type</dt>\n<dd><code>${escapeHtml(values.code)}</code></dd>\n`}</dl>
</main>
</body>
</html>
`
}
