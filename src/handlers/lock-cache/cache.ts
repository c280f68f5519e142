/**
 * The lock cache's memory: the clients a shared store said were locked, each with the store's
 * answer, the rule it was given under and when the store was asked. Bounded in bytes: entries are
 * kept in the order the store last answered for them, and the oldest go first when a new one would
 * pass the budget. Only locks are kept, never "allowed": an entry can only ever refuse.
 */

import type { Bucket } from '../../ground/buckets.js'
import type { LockoutRule } from '../../ground/rule.js'

/** What one entry costs beyond its key's characters (the object, its Map slot, the rule pointer). */
export const ENTRY_OVERHEAD_BYTES = 160

/** One client the store said was locked. */
export interface LockEntry {
  /** The client's buckets' keys (`lockKeyOf`). */
  readonly key: string
  /** The rule the store applied. */
  readonly rule: LockoutRule
  /** The client's failures as the store counted them. */
  readonly failures: number
  /** When the lock lifts (ms since the epoch, the core's clock); `Infinity` until reset. */
  readonly lockedUntil: number
  /** When the store was asked, on the cache's own monotonic clock. */
  readonly checkedAt: number
  /** What the entry counts against the budget. */
  readonly bytes: number
  /** The store call under way that will refresh this entry, if any. */
  refreshing: Promise<unknown> | null
}

/** One key for a client's set of buckets: their keys, NUL-separated (a key never holds a NUL). */
export function lockKeyOf(buckets: readonly Bucket[]): string {
  if (buckets.length === 1) return (buckets[0] as Bucket).key
  let key = ''
  for (let i = 0; i < buckets.length; i++) key += i === 0 ? buckets[i]?.key : `\0${buckets[i]?.key}`
  return key
}

/** Whether two rules decide a lock alike (the reservation time plays no part in it). */
export function sameLockRule(a: LockoutRule, b: LockoutRule): boolean {
  if (a === b) return true
  if (
    a.failureLimit !== b.failureLimit ||
    a.cooloffMs !== b.cooloffMs ||
    a.lockOutAtFailure !== b.lockOutAtFailure ||
    a.recordLockedAttempts !== b.recordLockedAttempts
  ) {
    return false
  }
  if (a.tiers === b.tiers) return true
  if (a.tiers.length !== b.tiers.length) return false
  return a.tiers.every(
    (tier, i) => tier.failures === b.tiers[i]?.failures && tier.cooloffMs === b.tiers[i]?.cooloffMs,
  )
}

/** The locked clients, within a byte budget. */
export class LockCache {
  readonly #entries = new Map<string, LockEntry>()
  readonly #maxBytes: number
  #bytes = 0

  /** A cache that holds at most `maxBytes` (keys at two bytes a character, plus the overhead). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  /** The bytes counted now; never more than the budget. */
  get bytes(): number {
    return this.#bytes
  }

  /** How many clients are held. */
  get size(): number {
    return this.#entries.size
  }

  /** The entry for `key`, if one is held. */
  get(key: string): LockEntry | undefined {
    return this.#entries.get(key)
  }

  /**
   * Keeps the store's answer for `key`: a lock replaces the entry (moved to the newest end), no
   * lock removes it. An entry that would not fit the budget on its own is not kept.
   */
  learn(
    key: string,
    rule: LockoutRule,
    failures: number,
    lockedUntil: number | null,
    checkedAt: number,
  ): void {
    this.forget(key)
    if (lockedUntil === null) return
    const bytes = key.length * 2 + ENTRY_OVERHEAD_BYTES
    if (bytes > this.#maxBytes) return
    while (this.#bytes + bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.forget(oldest.value)
    }
    this.#entries.set(key, { key, rule, failures, lockedUntil, checkedAt, bytes, refreshing: null })
    this.#bytes += bytes
  }

  /** Drops the entry for `key`. */
  forget(key: string): void {
    const entry = this.#entries.get(key)
    if (entry === undefined) return
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}
