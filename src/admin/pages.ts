/**
 * The admin's pages, rendered on the server: plain HTML and one inline style sheet, no script, no
 * external asset. Every value goes through the `html` template, which escapes it.
 */

import { createHash } from 'node:crypto'
import type {
  AccessFailureLogEntry,
  AccessLogEntry,
  AttemptDetail,
  AttemptStats,
  LockoutRule,
} from '../ground/contract.js'
import { currentFailures } from '../ground/rule.js'
import { html, raw, type SafeHtml } from './html.js'
import { CSRF_FIELD } from './http/csrf.js'

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
.locked{color:#cf222e;font-weight:600}
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
}

/** The pages in the header's navigation. */
export type Section = 'overview' | 'attempts' | 'logs' | 'failureLogs'

const SECTIONS: [Section, string, string][] = [
  ['overview', 'Overview', '/'],
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
  )}</nav></header>
<main><h1>${heading}</h1>${body}</main></body></html>`.value
}

/** A time as `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatTime(date: Date | number | null): string {
  if (date === null) return '—'
  const ms = typeof date === 'number' ? date : date.getTime()
  if (!Number.isFinite(ms)) return 'until reset'
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** Notices (information) and warnings above the content. */
export function notices(items: { kind: 'notice' | 'warning' | 'error'; text: string }[]): SafeHtml {
  return html`${items.map((n) => html`<p class="${n.kind}" role="status">${n.text}</p>`)}`
}

/** The filter side bar: each group a list of links, the chosen one marked. */
export function filterBar(
  groups: { title: string; options: { label: string; url: string; current: boolean }[] }[],
): SafeHtml {
  return html`<aside aria-label="Filters"><strong>Filter</strong>${groups.map(
    (g) =>
      html`<h3>${g.title}</h3><ul>${g.options.map(
        (o) =>
          html`<li><a href="${o.url}"${o.current ? raw(' aria-current="true"') : ''}>${o.label}</a></li>`,
      )}</ul>`,
  )}</aside>`
}

/** The search box, keeping the other parameters as hidden fields. */
export function searchForm(
  action: string,
  search: string,
  keep: Record<string, string | null | undefined>,
): SafeHtml {
  return html`<form class="search" method="get" action="${action}" role="search">
<input type="search" name="q" value="${search}" placeholder="IP address, username, user agent or path" aria-label="Search">
${Object.entries(keep).map(([k, v]) => (v ? html`<input type="hidden" name="${k}" value="${v}">` : ''))}
<button type="submit">Search</button></form>`
}

/** A sortable column header. */
export interface Column {
  readonly key: string | null
  readonly label: string
}

/** A table head whose sortable columns link to the list sorted by them (again: reversed). */
export function tableHead(
  columns: readonly Column[],
  sort: { key: string; descending: boolean },
  sortUrl: (order: string) => string,
  leading: SafeHtml | null = null,
): SafeHtml {
  return html`<thead><tr>${leading ?? ''}${columns.map((c) => {
    if (c.key === null) return html`<th scope="col">${c.label}</th>`
    const active = sort.key === c.key
    const next = active && sort.descending ? c.key : `-${c.key}`
    const arrow = active ? (sort.descending ? ' ▼' : ' ▲') : ''
    const aria = active ? (sort.descending ? 'descending' : 'ascending') : 'none'
    return html`<th scope="col" aria-sort="${aria}"><a href="${sortUrl(next)}">${c.label}${arrow}</a></th>`
  })}</tr></thead>`
}

/** Page links. */
export function pagination(
  total: number,
  page: number,
  pageSize: number,
  pageUrl: (page: number) => string,
  noun: string,
): SafeHtml {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const shown: number[] = []
  for (let p = 1; p <= pages; p++) {
    if (p <= 2 || p > pages - 2 || Math.abs(p - page) <= 2) shown.push(p)
  }
  const links: SafeHtml[] = []
  let previous = 0
  for (const p of shown) {
    if (p - previous > 1) links.push(html`<span class="muted">…</span>`)
    links.push(
      p === page
        ? html`<span aria-current="page">${p}</span>`
        : html`<a href="${pageUrl(p)}">${p}</a>`,
    )
    previous = p
  }
  return html`<nav class="pages" aria-label="Pages">${pages > 1 ? links : ''}<span class="muted">${total} ${noun}${total === 1 ? '' : 's'}</span></nav>`
}

/** The hidden CSRF field of every POST form. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrfToken}">`
}

/** django-axes' admin status: "N attempts remaining" or "Locked out". */
export function attemptStatus(
  entry: AttemptDetail,
  rule: LockoutRule | null,
  now: number,
): SafeHtml {
  if (entry.lockedUntil !== null && entry.lockedUntil > now) {
    return html`<span class="locked">Locked out</span>${
      Number.isFinite(entry.lockedUntil)
        ? html` <span class="muted">until ${formatTime(entry.lockedUntil)}</span>`
        : html` <span class="muted">until reset</span>`
    }`
  }
  if (rule === null) return html`<span class="muted">—</span>`
  if (!rule.lockOutAtFailure) return html`<span class="ok">Never locked out</span>`
  const failures = currentFailures(rule, entry.failures, entry.attemptTime.getTime(), now)
  const left = Math.max(1, rule.failureLimit - failures)
  return html`<span class="ok">${left} attempt${left === 1 ? '' : 's'} remaining</span>`
}

/** A value, or a muted dash for null. */
export function cell(value: string | null): SafeHtml {
  return value === null ? html`<span class="muted">—</span>` : html`${value}`
}

/** Failures over time as an inline SVG bar chart. */
export function chart(
  stats: AttemptStats,
  since: number,
  stepMs: number,
  label: (start: number) => string,
): SafeHtml {
  const width = 760
  const height = 220
  const left = 44
  const bottom = 28
  const top = 14
  const n = stats.series.length
  const max = Math.max(1, ...stats.series)
  const plotW = width - left - 10
  const plotH = height - top - bottom
  const barW = plotW / Math.max(1, n)
  const bars = stats.series.map((value, i) => {
    const h = Math.round((value / max) * plotH)
    const x = left + i * barW
    const start = since + i * stepMs
    return html`<rect x="${(x + 1).toFixed(1)}" y="${top + plotH - h}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${h}" fill="#cf222e"><title>${label(start)}: ${value} failure${value === 1 ? '' : 's'}</title></rect>`
  })
  const ticks = [0, Math.floor(n / 2), n - 1].filter((v, i, a) => v >= 0 && a.indexOf(v) === i)
  const total = stats.series.reduce((a, b) => a + b, 0)
  return html`<svg role="img" aria-label="Failures over time: ${total} in all, at most ${max} per step" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#8c959f"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#8c959f"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11" fill="#59636e">${max}</text>
<text x="${left - 6}" y="${top + plotH}" text-anchor="end" font-size="11" fill="#59636e">0</text>
${bars}
${ticks.map(
  (i) =>
    html`<text x="${(i === 0 ? left : i === n - 1 ? width - 10 : left + i * barW + barW / 2).toFixed(1)}" y="${height - 8}" text-anchor="${i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}" font-size="11" fill="#59636e">${label(since + i * stepMs)}</text>`,
)}
</svg>`
}

/** The rows of the access log table. */
export function accessLogRows(rows: readonly AccessLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${r.logoutTime ? formatTime(r.logoutTime) : html`<span class="muted">—</span>`}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${cell(r.username)}</td><td>${r.userAgent}</td><td>${r.pathInfo}</td></tr>`,
  )}`
}

/** The rows of the access failure log table. */
export function failureLogRows(rows: readonly AccessFailureLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${cell(r.username)}</td><td>${r.userAgent}</td><td>${r.pathInfo}</td><td>${r.lockedOut ? html`<span class="locked">Yes</span>` : 'No'}</td></tr>`,
  )}`
}
