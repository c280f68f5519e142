/**
 * What the bucket stores (memory, Redis) share with no page or query: which buckets a reset filter
 * removes, and an admin entry as a listing snapshot. Kept apart from query.ts so that the memory
 * handler, which application bundles carry, does not carry the admin's paging and statistics.
 */

import type { Bucket } from '../ground/buckets.js'
import type { ResetFilter } from '../ground/contract.js'
import type { AttemptDetail, AttemptSnapshot } from '../ground/contract-browsing.js'

/** The snapshot (`listAttempts`' shape) of an admin entry. */
export function snapshotOf(detail: AttemptDetail): AttemptSnapshot {
  return {
    ipAddress: detail.ipAddress,
    username: detail.username,
    userAgent: detail.userAgent,
    failures: detail.failures,
    attemptTime: detail.attemptTime,
    lockedUntil: detail.lockedUntil,
  }
}

/**
 * Whether a bucket with these fields is one `resetAttempts(filter)` removes: every bucket without
 * an IP or a username in the filter; with both (AND), a bucket holding one of the two fields at
 * least, each it holds matching; otherwise (one of them, or `ipOrUsername`), a bucket whose IP or
 * username matches.
 */
export function matchesReset(fields: Bucket['fields'], filter: ResetFilter): boolean {
  const ip = filter.ipAddress ?? null
  const username = filter.username ?? null
  if (ip === null && username === null) return true
  const hasIp = 'ip_address' in fields
  const hasUser = 'username' in fields
  if (ip !== null && username !== null && !filter.ipOrUsername) {
    return (
      (hasIp || hasUser) &&
      (!hasIp || fields.ip_address === ip) &&
      (!hasUser || fields.username === username)
    )
  }
  return (
    (ip !== null && hasIp && fields.ip_address === ip) ||
    (username !== null && hasUser && fields.username === username)
  )
}
