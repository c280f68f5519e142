/**
 * Filtering, searching, sorting and paging of attempts held in memory, for the handlers that keep
 * buckets rather than rows (the admin pages over the memory handler's snapshot, the Redis handler,
 * any handler that can only `listAttempts`): the same answers the database handler's SQL gives,
 * computed over an array. Not imported by the memory handler, so that it stays out of application
 * bundles.
 */

import { decodeBucketKey } from '../ground/buckets.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  AttemptSortKey,
  AttemptStats,
  AttemptStatsQuery,
  QueryPage,
} from '../ground/contract-browsing.js'

/** The largest page a handler returns, whatever is asked. */
export const MAX_PAGE = 500

/**
 * A search term as handlers compare it: NUL-free, well-formed, trimmed, at most 255 characters, and
 * in lower case unless `lower` is false (SQL lowers both sides itself).
 */
export function searchTerm(search: string | null | undefined, lower = true): string {
  if (typeof search !== 'string') return ''
  const term = search.toWellFormed().replace(/\0/g, '').slice(0, 255).trim()
  return lower ? term.toLowerCase() : term
}

/** Whether the attempt is locked out at `now`. */
export function isLockedOut(entry: AttemptSnapshot, now: number): boolean {
  return entry.lockedUntil !== null && entry.lockedUntil > now
}

const sortValue = (entry: AttemptDetail, key: AttemptSortKey): string | number => {
  switch (key) {
    case 'attemptTime':
      return entry.attemptTime.getTime()
    case 'failures':
      return entry.failures
    case 'ipAddress':
      return entry.ipAddress ?? ''
    case 'username':
      return entry.username ?? ''
    case 'userAgent':
      return entry.userAgent ?? ''
    case 'pathInfo':
      return entry.pathInfo ?? ''
  }
}

/** One page of `entries` as `queryAttempts` answers it. */
export function pageOfAttempts(
  entries: readonly AttemptDetail[],
  query: AttemptQuery,
): QueryPage<AttemptDetail> {
  const term = searchTerm(query.search)
  const matched = entries.filter((entry) => {
    if (term !== '') {
      const fields = [entry.ipAddress, entry.username, entry.userAgent, entry.pathInfo]
      if (!fields.some((field) => field?.toLowerCase().includes(term))) return false
    }
    if (query.since != null && entry.attemptTime.getTime() < query.since) return false
    if (query.path != null && query.path !== '' && entry.pathInfo !== query.path) return false
    if (query.lockedOut != null && isLockedOut(entry, query.now) !== query.lockedOut) return false
    return true
  })
  const key = query.sort ?? 'attemptTime'
  const sign = (query.descending ?? true) ? -1 : 1
  matched.sort((a, b) => {
    const x = sortValue(a, key)
    const y = sortValue(b, key)
    if (x < y) return -sign
    if (x > y) return sign
    return a.id < b.id ? -sign : a.id > b.id ? sign : 0
  })
  const offset = Math.max(0, Math.floor(query.offset))
  const limit = Math.min(MAX_PAGE, Math.max(0, Math.floor(query.limit)))
  const paths = [
    ...new Set(entries.map((e) => e.pathInfo).filter((p): p is string => p !== null)),
  ].sort()
  return {
    rows: matched.slice(offset, offset + limit),
    total: matched.length,
    paths: paths.slice(0, 50),
  }
}

/** The overview's figures over `entries` (each entry's failures at its latest failure). */
export function statsOfAttempts(
  entries: readonly AttemptDetail[],
  query: AttemptStatsQuery,
): AttemptStats {
  const series = new Array<number>(query.steps).fill(0)
  let lockedOut = 0
  const ips = new Map<string | null, number>()
  const usernames = new Map<string | null, number>()
  for (const entry of entries) {
    const step = Math.floor((entry.attemptTime.getTime() - query.since) / query.stepMs)
    if (step >= 0 && step < query.steps) series[step] = (series[step] ?? 0) + entry.failures
    if (isLockedOut(entry, query.now)) lockedOut++
    ips.set(entry.ipAddress, (ips.get(entry.ipAddress) ?? 0) + entry.failures)
    usernames.set(entry.username, (usernames.get(entry.username) ?? 0) + entry.failures)
  }
  return {
    series,
    source: 'attempts',
    topIps: topOf(ips, query.top),
    topUsernames: topOf(usernames, query.top),
    lockedOut:
      query.rule === null && entries.every((e) => e.lockedUntil === null) ? null : lockedOut,
    attempts: entries.length,
  }
}

/**
 * The `n` largest counts, largest first (ties by value), in one pass that keeps only the `n` best:
 * a store under attack holds a count for every one of many values.
 */
export function topOf(
  counts: ReadonlyMap<string | null, number>,
  n: number,
): { value: string | null; failures: number }[] {
  if (n <= 0) return []
  const before = (a: [string | null, number], b: [string | null, number]) =>
    a[1] !== b[1] ? a[1] > b[1] : String(a[0]) < String(b[0])
  const best: [string | null, number][] = []
  for (const entry of counts) {
    if (entry[1] <= 0) continue
    if (best.length === n && !before(entry, best[n - 1] as [string | null, number])) continue
    let at = best.length === n ? n - 1 : best.length
    if (best.length === n) best.pop()
    while (at > 0 && before(entry, best[at - 1] as [string | null, number])) at--
    best.splice(at, 0, entry)
  }
  return best.map(([value, failures]) => ({ value, failures }))
}

/** Snapshots from `listAttempts` as details (ids are their position; nothing else is kept). */
export function detailsOfSnapshots(snapshots: readonly AttemptSnapshot[]): AttemptDetail[] {
  return snapshots.map((s, index) => ({
    ...s,
    id: String(index),
    pathInfo: null,
    httpAccept: null,
    getData: null,
    postData: null,
    expiresAt: null,
  }))
}

/**
 * The overview's figures over buckets, added one at a time, as a counting handler keeps them. A
 * failure is in every bucket of its client, so a value is counted from the bucket keyed by its
 * field alone where there is one, else from the sum of the combined buckets that hold it: an IP is
 * not counted twice for its IP bucket and its IP-and-username one.
 */
export function bucketTally(query: AttemptStatsQuery): {
  add(bucketKey: string, failures: number, lastAt: number, locked: boolean): void
  result(): AttemptStats
} {
  const { since, stepMs, steps } = query
  const series = new Array<number>(steps).fill(0)
  let attempts = 0
  let lockedOut = 0
  const tallies = {
    ip_address: {
      alone: new Map<string | null, number>(),
      combined: new Map<string | null, number>(),
    },
    username: {
      alone: new Map<string | null, number>(),
      combined: new Map<string | null, number>(),
    },
  }
  return {
    add(bucketKey, failures, lastAt, locked) {
      attempts++
      const step = Math.floor((lastAt - since) / stepMs)
      if (step >= 0 && step < steps) series[step] = (series[step] ?? 0) + failures
      if (locked) lockedOut++
      const fields = decodeBucketKey(bucketKey) ?? {}
      const single =
        Number('ip_address' in fields) +
          Number('username' in fields) +
          Number('user_agent' in fields) ===
        1
      for (const field of ['ip_address', 'username'] as const) {
        if (!(field in fields)) continue
        const value = fields[field] ?? null
        const target = single ? tallies[field].alone : tallies[field].combined
        target.set(value, (target.get(value) ?? 0) + failures)
      }
    },
    result() {
      const top = (field: 'ip_address' | 'username') => {
        const { alone, combined } = tallies[field]
        for (const [value, failures] of combined) if (!alone.has(value)) alone.set(value, failures)
        return topOf(alone, query.top)
      }
      return {
        series,
        source: 'attempts',
        topIps: top('ip_address'),
        topUsernames: top('username'),
        lockedOut,
        attempts,
      }
    },
  }
}

/** The overview's figures over buckets given as admin entries (ids: the buckets' keys). */
export function statsOfBuckets(
  entries: readonly AttemptDetail[],
  query: AttemptStatsQuery,
): AttemptStats {
  const tally = bucketTally(query)
  for (const e of entries) {
    tally.add(e.id, e.failures, e.attemptTime.getTime(), isLockedOut(e, query.now))
  }
  return tally.result()
}
