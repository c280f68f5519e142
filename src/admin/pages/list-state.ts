/**
 * What a list page (access attempts, access logs, access failure logs) reads from its URL: the
 * search, the filters, the sort and the page; the query it makes of them, and links that change one
 * of them.
 */

import { href, type PageContext } from './layout.js'

/** The attempt-time filter's choices: the URL value and its label. */
export const TIME_FILTERS: [string, string][] = [
  ['', 'Any date'],
  ['today', 'Today'],
  ['7d', 'Past 7 days'],
  ['month', 'This month'],
  ['year', 'This year'],
]

function pageNumber(url: URL): number {
  const p = Number(url.searchParams.get('p') ?? '1')
  return Number.isInteger(p) && p >= 1 && p <= 1_000_000 ? p : 1
}

function sortOf<K extends string>(
  url: URL,
  allowed: readonly K[],
): { key: K; descending: boolean; param: string | null } {
  const o = url.searchParams.get('o') ?? ''
  const descending = o.startsWith('-')
  const key = (descending ? o.slice(1) : o) as K
  if (allowed.includes(key)) return { key, descending, param: o }
  return { key: allowed[0] as K, descending: true, param: null }
}

/** The start of the chosen attempt-time filter, in UTC. */
function sinceOf(filter: string | null, now: number): number | null {
  const d = new Date(now)
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  if (filter === 'today') return day
  if (filter === '7d') return now - 7 * 86_400_000
  if (filter === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  if (filter === 'year') return Date.UTC(d.getUTCFullYear(), 0, 1)
  return null
}

/**
 * What a list page reads from its URL (search, filters, sort, page), the query it makes of them,
 * and links that change one of them.
 */

export function listState<K extends string>(
  ctx: PageContext,
  url: URL,
  pageSize: number,
  sorts: readonly K[],
  target: string,
  withLocked: boolean,
) {
  const params = url.searchParams
  const search = (params.get('q') ?? '').slice(0, 255)
  const lockedParam = withLocked ? params.get('locked') : null
  const time = params.get('time')
  const path = params.get('path')
  const sort = sortOf(url, sorts)
  const pageNo = pageNumber(url)
  const query = {
    search,
    lockedOut: lockedParam === 'yes' ? true : lockedParam === 'no' ? false : null,
    since: sinceOf(time, ctx.now),
    path: path || null,
    sort: sort.key,
    descending: sort.descending,
    offset: (pageNo - 1) * pageSize,
    limit: pageSize,
  }
  /** The parameters other than the search and the page, kept by the search form. */
  const keep: Record<string, string | null> = { locked: lockedParam, time, path, o: sort.param }
  const current: Record<string, string | null> = { q: search, ...keep }
  const link = (changes: Record<string, string | number | null>) =>
    href(ctx, target, { ...current, ...changes })
  const filterOption = (key: string, value: string, label: string) => ({
    label,
    url: link({ [key]: value || null, p: null }),
    current: (current[key] ?? '') === value,
  })
  return { search, keep, sort, pageNo, query, link, filterOption }
}
