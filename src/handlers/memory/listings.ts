/**
 * The memory handler's listings and admin queries over its buckets: one entry per bucket (a bucket
 * keeps no path nor request data), and the deletions the admin asks for (by filter, by id, the
 * expired ones). The admin pages page, sort, search and count over the snapshot themselves.
 */

import { decodeBucketKey } from '../../ground/buckets.js'
import type { ResetFilter } from '../../ground/contract.js'
import type { AttemptDetail } from '../../ground/contract-browsing.js'
import { matchesReset } from '../entries.js'
import { type BucketStore, EXPIRES_AT, FAILURES, LAST_AT, STRIDE } from './store.js'

/** A bucket as an admin entry (null once expired). */
export function detailOf(
  store: BucketStore,
  key: string,
  slot: number,
  now: number,
): AttemptDetail | null {
  const base = slot * STRIDE
  // Stryker disable next-line ArithmeticOperator: FAILURES is the slot's first field (0)
  const failures = store.data[base + FAILURES] ?? 0
  // Stryker disable next-line ConditionalExpression: a bucket without failures has no expiry (0), so expired() answers true for it too
  if (failures === 0 || store.expired(slot, now)) return null
  const fields = decodeBucketKey(key) ?? {}
  const lockedUntil = store.lockLift(slot)
  const expiresAt = store.data[base + EXPIRES_AT] ?? 0
  return {
    id: key,
    ipAddress: fields.ip_address ?? null,
    username: fields.username ?? null,
    userAgent: fields.user_agent ?? null,
    failures,
    attemptTime: new Date(store.data[base + LAST_AT] ?? 0),
    // Stryker disable next-line ConditionalExpression: null > now is false, as the null test says
    lockedUntil: lockedUntil !== null && lockedUntil > now ? lockedUntil : null,
    pathInfo: null,
    httpAccept: null,
    getData: null,
    postData: null,
    expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt) : null,
  }
}

/** Every bucket with failures that still count. */
export function detailsOf(store: BucketStore, now: number): AttemptDetail[] {
  const out: AttemptDetail[] = []
  for (const [key, slot] of store.index) {
    const detail = detailOf(store, key, slot, now)
    if (detail !== null) out.push(detail)
  }
  return out
}

/** Deletes the buckets of the filter's IP address and username (every bucket when neither). */
export function resetMatching(store: BucketStore, filter: ResetFilter): number {
  const ip = filter.ipAddress ?? null
  const username = filter.username ?? null
  // Stryker disable next-line ConditionalExpression,BlockStatement: the loop below removes the same buckets (an empty filter matches every key); this is its fast path
  if (ip === null && username === null) {
    const count = store.index.size
    store.clear()
    return count
  }
  let removed = 0
  for (const key of [...store.index.keys()]) {
    const fields = decodeBucketKey(key)
    if (fields && matchesReset(fields, filter) && store.delete(key)) removed++
  }
  return removed
}

/** Deletes the buckets of these keys; how many there were. */
export function deleteKeys(store: BucketStore, keys: Iterable<string>): number {
  let removed = 0
  for (const key of keys) if (store.delete(key)) removed++
  return removed
}

/** Deletes the buckets expired at `now` that hold no place; how many. */
export function deleteExpired(store: BucketStore, now: number): number {
  let removed = 0
  for (const [key, slot] of [...store.index]) {
    if (store.isDead(slot, now) && store.delete(key)) removed++
  }
  return removed
}
