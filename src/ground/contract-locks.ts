/**
 * The handler contract's lock listing (capability `locks`): every lock in force now, by what it
 * locks, with the failures that count toward it. A lock's id is the key of the bucket it locks
 * (`encodeBucketKey`); unlocking it resets exactly that bucket (`resetBuckets`), which takes every
 * row or counter that counts toward it, across user agents.
 */

import type { Awaitable } from './awaitable.js'
import {
  type Bucket,
  decodeBucketKey,
  type LockoutParameter,
  type LockoutParameterItem,
} from './buckets.js'
import type { AttemptDetail } from './contract-browsing.js'
import { parseDeviceUsername } from './devices.js'
import type { LockoutRule } from './rule.js'

/**
 * What a lock locks: `ip`, `username`, `user-agent`, `pair` (username and IP together), other
 * combinations as their kinds joined by `+` (`ip+user-agent`), and kinds that later handlers or
 * defences add (`source`, `device`, ...): an open set.
 */
export type LockKind =
  | 'ip'
  | 'username'
  | 'user-agent'
  | 'pair'
  | 'source'
  | 'device'
  | (string & Record<never, never>)

/** One stored row or bucket whose failures count toward a lock: where they came from. */
export interface LockSource {
  readonly ipAddress: string | null
  readonly username: string | null
  readonly userAgent: string | null
  /** django-axes' `path_info`; null where the handler does not keep it (buckets). */
  readonly pathInfo: string | null
  /** Its failures that count now. */
  readonly failures: number
  /** Its latest failure. */
  readonly attemptTime: Date
}

/** A lock in force. */
export interface ActiveLock {
  /** The id `unlock` takes: the locked bucket's key. */
  readonly id: string
  /** What it locks. */
  readonly kind: LockKind
  /** The values it locks (the bucket's fields), e.g. `{ username: 'alice', ip_address: '10.0.0.1' }`. */
  readonly fields: Bucket['fields']
  /** The failure that (re)started it: the latest failure that counts toward it. */
  readonly since: Date
  /** When it lifts (ms since the epoch); `Infinity` for a lock until reset. */
  readonly until: number
  /** The failures that count toward it. */
  readonly failures: number
  /** The rows or buckets those failures are in, most recent first. */
  readonly sources: readonly LockSource[]
  /**
   * A `source` lock's distinct usernames: how many the source had failed on when it was locked
   * (its `failures` are 0: spray detection counts usernames, and keeps no rows).
   */
  readonly usernames?: number
}

/** The input of `listLocks`. */
export interface LockQuery {
  /** The current time (the core's clock). */
  readonly now: number
  /** The rule in force when it does not depend on the request; null otherwise. */
  readonly rule: LockoutRule | null
  /**
   * The lockout parameters when they do not depend on the request (null otherwise): a handler
   * that stores rows rather than buckets groups its rows by them.
   */
  readonly parameters: readonly LockoutParameterItem[] | null
}

/** Listing the locks in force (capability `locks`). */
export interface LockBrowser {
  /**
   * Every lock in force at `now`, the latest lift first (at most `MAX_LOCKS`). Read-only; a
   * snapshot as of the query.
   */
  listLocks(query: LockQuery): Awaitable<ActiveLock[]>
}

/** The most locks a listing returns. */
export const MAX_LOCKS = 500

const KIND_OF: Record<LockoutParameter, string> = {
  ip_address: 'ip',
  username: 'username',
  user_agent: 'user-agent',
}

/**
 * The kind of a lock on a bucket with these fields: `device` for a trusted device's own bucket
 * (device cookies), else what its parameters lock.
 */
export function lockKindOf(fields: Bucket['fields']): LockKind {
  const names = Object.keys(fields) as LockoutParameter[]
  if (names.length === 1 && parseDeviceUsername(fields.username) !== null) return 'device'
  if (names.length === 2 && 'ip_address' in fields && 'username' in fields) return 'pair'
  return names.map((name) => KIND_OF[name]).join('+')
}

/** The locks first to lift last, capped at `MAX_LOCKS`. */
export function sortLocks(locks: ActiveLock[]): ActiveLock[] {
  locks.sort((a, b) => b.until - a.until || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return locks.slice(0, MAX_LOCKS)
}

/**
 * The lock of a bucket given as an admin entry (its id the bucket's key), or null when it is not
 * locked at `now`: for the handlers that keep a lock per bucket (memory, Redis).
 */
export function lockOfBucket(entry: AttemptDetail, now: number): ActiveLock | null {
  const fields = decodeBucketKey(entry.id)
  if (!fields || entry.lockedUntil === null || !(entry.lockedUntil > now)) return null
  return {
    id: entry.id,
    kind: lockKindOf(fields),
    fields,
    since: entry.attemptTime,
    until: entry.lockedUntil,
    failures: entry.failures,
    sources: [
      {
        ipAddress: entry.ipAddress,
        username: entry.username,
        userAgent: entry.userAgent,
        pathInfo: entry.pathInfo,
        failures: entry.failures,
        attemptTime: entry.attemptTime,
      },
    ],
  }
}

/**
 * Whether a lock applies to a stored attempt: each field it locks has the attempt's value (a
 * username-and-IP lock applies to that pair's rows from every user agent).
 */
export function lockAppliesTo(
  lock: ActiveLock,
  attempt: { ipAddress: string | null; username: string | null; userAgent: string | null },
): boolean {
  const values: Record<LockoutParameter, string | null> = {
    ip_address: attempt.ipAddress,
    username: attempt.username,
    user_agent: attempt.userAgent,
  }
  for (const [name, value] of Object.entries(lock.fields)) {
    if (values[name as LockoutParameter] !== (value ?? null)) return false
  }
  return Object.keys(lock.fields).length > 0
}

/** What `unlock` removed. */
export interface UnlockResult {
  /** The lock's id. */
  readonly id: string
  /** The lock as it was listed before it went; null when it was not in force (nothing locked). */
  readonly lock: ActiveLock | null
  /** How many stored rows or buckets went (the handler's count, as `resetBuckets` gives it). */
  readonly removed: number
}

/** What `resetAndReport` did, and what still keeps those clients out. */
export interface ResetReport {
  /** How many attempts went, as `reset` counts them. */
  readonly removed: number
  /**
   * The `source` locks (spray detection) the reset lifted: a reset by IP forgets that IP's
   * sources, a reset of everything every source. Empty without spray detection.
   */
  readonly sources: readonly ActiveLock[]
  /**
   * The locks still in force that kept out the IP or username before the reset (through another
   * lockout parameter: the IP alone after a username reset, say); `unlock(axes, lock.id)` lifts one.
   * Empty when the handler cannot list locks.
   */
  readonly remaining: readonly ActiveLock[]
}

/**
 * The locks among `after` that keep out the `ip` or `username` as `before` knew them: those that
 * name the value or hold a failure of it, and those whose every locked value is one the client was
 * seen with (the IP a username failed from, after a username reset).
 */
export function locksStillHolding(
  before: readonly ActiveLock[],
  after: readonly ActiveLock[],
  ip: string | null,
  username: string | null,
): ActiveLock[] {
  const of = (s: LockSource) =>
    (ip !== null && s.ipAddress === ip) || (username !== null && s.username === username)
  const touches = (lock: ActiveLock) =>
    (ip !== null && lock.fields.ip_address === ip) ||
    (username !== null && lock.fields.username === username) ||
    (username !== null && parseDeviceUsername(lock.fields.username)?.username === username) ||
    lock.sources.some(of)
  const known: Record<string, Set<string | null | undefined>> = {
    ip_address: new Set([ip]),
    username: new Set([username]),
    user_agent: new Set(),
  }
  for (const lock of before) {
    if (!touches(lock)) continue
    for (const [name, value] of Object.entries(lock.fields)) known[name]?.add(value)
    for (const s of lock.sources.filter(of)) {
      known.ip_address?.add(s.ipAddress)
      known.username?.add(s.username)
      known.user_agent?.add(s.userAgent)
    }
  }
  return after.filter(
    (lock) =>
      touches(lock) ||
      Object.entries(lock.fields).every(
        ([name, value]) => value != null && known[name]?.has(value),
      ),
  )
}
