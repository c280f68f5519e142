/**
 * The frame of every admin page, rendered on the server: plain HTML and one inline style sheet (its
 * hash in the Content-Security-Policy), no script, no external asset; the header's navigation and
 * the links under the admin's base path.
 */

import { createHash } from 'node:crypto'
import { html, raw, type SafeHtml } from '../html.js'

/** The style sheet (its hash goes into the Content-Security-Policy). */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header strong{font-size:16px}
header nav a{color:#d0d7de;text-decoration:none;margin-right:16px}
header nav a[aria-current]{color:#fff;font-weight:600;border-bottom:2px solid #fff}
main{padding:16px 20px;max-width:1400px}
h1{font-size:20px;margin:4px 0 12px}
h2{font-size:16px;margin:20px 0 8px}
.notice{background:#ddf4ff;border:1px solid #54aeff;padding:8px 12px;border-radius:6px;margin:8px 0}
.warning{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:8px 0}
.error{background:#ffebe9;border:1px solid #ff8182;padding:8px 12px;border-radius:6px;margin:8px 0}
.layout{display:flex;gap:16px;align-items:flex-start}
.content{flex:1;min-width:0}
aside{width:220px;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;font-size:13px}
aside h3{font-size:13px;margin:10px 0 4px}
aside ul{list-style:none;margin:0;padding:0}
aside li a{text-decoration:none;color:#0969da;overflow-wrap:anywhere}
aside li a[aria-current]{font-weight:700;color:#1f2328}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
th a{color:#1f2328;text-decoration:none}
td{overflow-wrap:anywhere;max-width:360px}
td.num{text-align:right}
td.nowrap{white-space:nowrap}
td.path{min-width:16ch}
header form.signout{margin-left:auto}
header form.signout button{background:transparent;color:#fff;border-color:#57606a}
header form.signout button:hover{border-color:#fff}
.locked{color:#cf222e;font-weight:600}
ul.sources{margin:0;padding-left:16px}
.ok{color:#1a7f37}
.muted{color:#59636e}
form.search{display:flex;gap:8px;margin-bottom:10px}
input[type=search]{flex:1;max-width:420px;padding:5px 8px;border:1px solid #d0d7de;border-radius:6px}
button{padding:5px 12px;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer;font:inherit}
button.danger{background:#cf222e;color:#fff;border-color:#a40e26}
.actions{display:flex;gap:8px;margin:8px 0;align-items:center}
.pages{margin:10px 0;display:flex;gap:6px;flex-wrap:wrap;align-items:center}
.pages a,.pages span{padding:2px 8px;border:1px solid #d0d7de;border-radius:6px;text-decoration:none;background:#fff}
.pages span[aria-current]{background:#0969da;color:#fff;border-color:#0969da}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 16px;min-width:160px}
.card b{display:block;font-size:24px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
dl{display:grid;grid-template-columns:160px 1fr;gap:4px 12px;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:12px}
svg{background:#fff;border:1px solid #d0d7de;border-radius:6px;max-width:100%;height:auto}
`

/** The CSP source for the style sheet. */
export const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`

/** What every page needs to know. */
export interface PageContext {
  /** The admin's base path without a trailing slash ('' at the root). */
  readonly base: string
  /** The CSRF token for forms. */
  readonly csrfToken: string
  readonly title: string
  readonly now: number
  /** Where the header's "Sign out" button posts, or null for no button. */
  readonly signOutPath?: string | null
}

/** The pages in the header's navigation. */
export type Section = 'overview' | 'locks' | 'attempts' | 'logs' | 'failureLogs'

const SECTIONS: [Section, string, string][] = [
  ['overview', 'Overview', '/'],
  ['locks', 'Locked out now', '/locks'],
  ['attempts', 'Access attempts', '/attempts'],
  ['logs', 'Access logs', '/logs'],
  ['failureLogs', 'Access failure logs', '/failure-logs'],
]

/** A URL under the admin's base with query parameters (empty ones left out). */
export function href(
  ctx: PageContext,
  path: string,
  params: Record<string, string | number | null | undefined> = {},
): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') query.set(key, String(value))
  }
  const text = query.toString()
  const target = path === '/' ? `${ctx.base}/` : `${ctx.base}${path}`
  return text === '' ? target : `${target}?${text}`
}

/** A whole page. */
export function layout(
  ctx: PageContext,
  section: Section | null,
  heading: string,
  body: SafeHtml,
): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${heading} · ${ctx.title}</title><style>${raw(CSS)}</style></head>
<body><header><strong>${ctx.title}</strong><nav>${SECTIONS.map(
    ([key, label, path]) =>
      html`<a href="${href(ctx, path)}"${key === section ? raw(' aria-current="page"') : ''}>${label}</a>`,
  )}</nav>${
    ctx.signOutPath
      ? html`<form class="signout" method="post" action="${ctx.signOutPath}"><button>Sign out</button></form>`
      : ''
  }</header>
<main><h1>${heading}</h1>${body}</main></body></html>`.value
}
