/**
 * The pieces the admin pages are built of: times, notices, the filter side bar, the search box,
 * sortable table heads, page links, the CSRF field, an attempt's status and an empty cell. Every
 * value goes through the `html` template, which escapes it.
 */

import type { AttemptDetail } from '../../ground/contract-browsing.js'
import { type ActiveLock, lockAppliesTo } from '../../ground/contract-locks.js'
import { readableUsername } from '../../ground/devices.js'
import type { LockoutRule } from '../../ground/rule.js'
import { currentFailures } from '../../ground/rule.js'
import { html, raw, type SafeHtml } from '../html.js'
import { CSRF_FIELD } from '../http/csrf.js'
import type { PageContext } from './layout.js'

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
  locks: readonly ActiveLock[] | null = null,
): SafeHtml {
  // The lock in force that applies to the row (a username-and-IP lock applies to that pair's rows
  // from every user agent); without a lock listing, the row's own judgement.
  const lock = locks?.find((l) => lockAppliesTo(l, entry))
  const until = locks === null ? entry.lockedUntil : (lock?.until ?? null)
  if (until !== null && until > now) {
    return html`<span class="locked">Locked out</span>${
      Number.isFinite(until)
        ? html` <span class="muted">until ${formatTime(until)}</span>`
        : html` <span class="muted">until reset</span>`
    }${lock ? html` <span class="muted">by the ${lock.kind} lock</span>` : ''}`
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

/**
 * A username cell: a trusted device's bucket (device cookies) as `alice (device 3f2a9c1b…)`
 * rather than its stored `axes-device:<id>:alice`.
 */
export function userCell(value: string | null): SafeHtml {
  return cell(value === null ? null : readableUsername(value))
}
