/**
 * Where the pages read attempts from: the handler's query (with details, filters and sorting), its
 * buckets' snapshot (paged, sorted, searched and counted here, as the memory handler leaves it to
 * the admin), its plain listing (only the latest `FALLBACK_LIMIT`, without details), or nothing.
 */

import type { Axes } from '../../compose/axes.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptStats,
  AttemptStatsQuery,
  QueryPage,
} from '../../ground/contract-browsing.js'
import { pageOfAttempts, statsOfBuckets } from '../../handlers/query.js'

/** How many attempts the pages take from a handler that can only list them. */
export const FALLBACK_LIMIT = 1000

/** How a handler lets the pages read its attempts. */
export type AttemptSource = 'query' | 'list' | 'none'

/**
 * Whether the pages can browse the handler's attempts with details, one by one, deleting and
 * cleaning up: capability `browse`, or `buckets` (a snapshot the pages query themselves).
 */
export function canBrowse(axes: Axes): boolean {
  return axes.capabilities.browse || axes.capabilities.buckets
}

/** How this instance's handler lets the pages read its attempts. */
export function attemptSource(axes: Axes): AttemptSource {
  if (canBrowse(axes)) return 'query'
  if (axes.capabilities.list) return 'list'
  return 'none'
}

/** The handler's buckets at `now`, from its snapshot. */
async function snapshotOf(axes: Axes, now: number): Promise<AttemptDetail[]> {
  const snapshot = axes.handler.snapshotBuckets
  if (typeof snapshot !== 'function') throw new Error('no bucket snapshot')
  return snapshot.call(axes.handler, now)
}

/** One page of attempts: the handler's query, or the page over its buckets' snapshot. */
export async function queryAttemptsOf(
  axes: Axes,
  query: Omit<AttemptQuery, 'now' | 'rule'>,
  now: number,
): Promise<QueryPage<AttemptDetail>> {
  if (axes.capabilities.browse) return axes.queryAttempts(query)
  return pageOfAttempts(await snapshotOf(axes, now), {
    ...query,
    now,
    rule: axes.listingRule(),
  })
}

/** The overview's figures: the handler's, or counted over its buckets' snapshot. */
export async function attemptStatsOf(
  axes: Axes,
  query: Omit<AttemptStatsQuery, 'now' | 'rule' | 'fromFailureLog'>,
  now: number,
): Promise<AttemptStats> {
  if (axes.capabilities.browse) return axes.attemptStats(query)
  return statsOfBuckets(await snapshotOf(axes, now), {
    ...query,
    now,
    rule: axes.listingRule(),
    fromFailureLog: false,
  })
}
