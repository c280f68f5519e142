/**
 * The operator's locks: `lockedOut(axes)` (every lock in force), `unlock(axes, id)` (lifts exactly
 * one) and `resetAndReport(axes, filter)` (django-axes' reset by IP or username, then the locks that
 * still keep that client out). Functions rather than methods of the instance, so that an
 * application that never calls them does not bundle them (`createAxes` + `memoryHandler` stays
 * within 70 KB).
 */

import { decodeBucketKey, encodeBucketKey } from '../ground/buckets.js'
import type { AxesHandler } from '../ground/contract.js'
import {
  type ActiveLock,
  type LockQuery,
  lockOfBucket,
  locksStillHolding,
  type ResetReport,
  sortLocks,
  type UnlockResult,
} from '../ground/contract-locks.js'
import { type SourceLock, type SourceStore, sourcesOfReset } from '../ground/contract-sources.js'
import { AxesError } from '../ground/errors.js'
import { parseIp } from '../ground/ip.js'
import type { AxesInstance, ResetRequestFilter } from './instance.js'
import type { SprayDetection } from './spray-detection/index.js'

/** What a source lock's id starts with (a bucket key never does: its fields' tags are i, u, a). */
const SOURCE_ID = 'source:'

/** Spray detection as configured, when it is. */
function sprayOf(axes: AxesInstance): SprayDetection | null {
  const spray = axes.options.sprayDetection as Partial<SprayDetection> | null
  return typeof spray?.sourcesOf === 'function' ? (spray as SprayDetection) : null
}

/** The sources spray detection keeps for this instance's handler; null without spray detection. */
function sourceStoreOf(axes: AxesInstance): SourceStore | null {
  return sprayOf(axes)?.sourcesOf(axes.handler) ?? null
}

/** A locked source as a lock: kind `source`, locking its IP or network. */
function lockOfSource(lock: SourceLock): ActiveLock {
  return {
    id: SOURCE_ID + lock.source,
    kind: 'source',
    fields: { ip_address: lock.source },
    since: new Date(lock.since),
    until: lock.until,
    failures: 0,
    sources: [],
    usernames: lock.usernames,
  }
}

/**
 * The locks in force of a handler: its `listLocks` (capability `locks`), or, for a bucket store
 * that gives a snapshot of its buckets (capability `buckets`, the memory handler), its locked
 * buckets. Throws `AXES_NOT_SUPPORTED` when it has neither.
 */
export async function listLocksOf(handler: AxesHandler, query: LockQuery): Promise<ActiveLock[]> {
  if (typeof handler.listLocks === 'function') return handler.listLocks(query)
  if (typeof handler.snapshotBuckets !== 'function') {
    throw new AxesError(
      'AXES_NOT_SUPPORTED',
      `the ${handler.name} handler cannot list the locks in force`,
    )
  }
  const locks: ActiveLock[] = []
  for (const entry of await handler.snapshotBuckets(query.now)) {
    const lock = lockOfBucket(entry, query.now)
    if (lock !== null) locks.push(lock)
  }
  return sortLocks(locks)
}

/**
 * Every lock in force now (the admin's Locked out now page, `node-axes locked`), the latest lift
 * first: what it locks (`kind`, `fields`), since when, until when, and the failures that count
 * toward it with the rows or buckets they came from. Rejects with `AXES_NOT_SUPPORTED` when the
 * handler can neither list its locks nor give its buckets, and on the database handler when the
 * failure limit, the cool-off or the lockout parameters are functions of the request.
 *
 * @example
 * ```ts
 * import { lockedOut, unlock } from 'node-axes'
 *
 * for (const lock of await lockedOut(axes)) {
 *   if (lock.fields.username === 'alice') await unlock(axes, lock.id)
 * }
 * ```
 */
export async function lockedOut(axes: AxesInstance): Promise<ActiveLock[]> {
  const parameters = axes.options.lockoutParameters
  const now = axes.options.clock()
  const locks = await listLocksOf(axes.handler, {
    now,
    rule: axes.listingRule(),
    parameters: typeof parameters === 'function' ? null : parameters,
  })
  const sources = sourceStoreOf(axes)
  if (sources === null) return locks
  return sortLocks([...locks, ...(await sources.listSourceLocks(now)).map(lockOfSource)])
}

/**
 * Lifts one lock (an `id` from `lockedOut`): resets exactly the bucket it locks, every row or
 * counter that counts toward it across user agents, and nothing else. Resolves to the lock as it
 * was listed (null when it was not in force) and how many rows or buckets went. Rejects with
 * `AXES_INVALID_ARGUMENT` for an id that is not a lock's.
 */
export async function unlock(axes: AxesInstance, id: string): Promise<UnlockResult> {
  if (typeof id === 'string' && id.startsWith(SOURCE_ID)) return unlockSource(axes, id)
  const fields = typeof id === 'string' ? decodeBucketKey(id) : null
  if (!fields || id === '' || encodeBucketKey(fields) !== id) {
    throw new AxesError('AXES_INVALID_ARGUMENT', `unlock: ${JSON.stringify(id)} is not a lock id`)
  }
  const before = await lockedOut(axes).catch(() => [])
  const lock = before.find((l) => l.id === id) ?? null
  return { id, lock, removed: await axes.handler.resetBuckets([{ key: id, fields }]) }
}

/** Lifts a source lock (`source:<IP or network>`): forgets that source's usernames and lock. */
async function unlockSource(axes: AxesInstance, id: string): Promise<UnlockResult> {
  const sources = sourceStoreOf(axes)
  if (sources === null || id === SOURCE_ID) {
    throw new AxesError(
      'AXES_INVALID_ARGUMENT',
      `unlock: ${JSON.stringify(id)} is a source lock's id, and spray detection is not configured`,
    )
  }
  const before = await lockedOut(axes).catch(() => [])
  const lock = before.find((l) => l.id === id) ?? null
  return { id, lock, removed: await sources.resetSources(id.slice(SOURCE_ID.length)) }
}

/**
 * Resets as `axes.reset(filter)` does, then answers the locks still in force that kept that IP or
 * username out before the reset: under `['ip_address', ['username', 'ip_address']]`, a username
 * reset leaves the IP's own lock, which `remaining` lists; `unlock(axes, lock.id)` lifts it.
 * `remaining` is empty when the handler cannot list its locks.
 *
 * @example
 * ```ts
 * const { removed, remaining } = await resetAndReport(axes, { username: 'bob' })
 * for (const lock of remaining) await unlock(axes, lock.id)
 * ```
 */
export async function resetAndReport(
  axes: AxesInstance,
  filter: ResetRequestFilter,
): Promise<ResetReport> {
  const locks = () => lockedOut(axes).catch((): ActiveLock[] => [])
  const { ipAddress = null, username = null, ipOrUsername } = axes.resetFilterOf(filter)
  const before = await locks()
  const removed = await axes.reset(filter)
  const sources = await resetSourcesOf(axes, before, {
    ipAddress: filter.ip ? (parseIp(filter.ip)?.text ?? filter.ip) : null,
    username,
    ipOrUsername,
  })
  return {
    removed,
    sources,
    remaining: locksStillHolding(before, await locks(), ipAddress, username),
  }
}

/**
 * Forgets the sources a reset covers (`sourcesOfReset`; the database and Redis handlers' own
 * `resetAttempts` did already, the memory handler's sources are spray detection's) and answers the
 * source locks among `before` that it lifted.
 */
async function resetSourcesOf(
  axes: AxesInstance,
  before: readonly ActiveLock[],
  filter: { ipAddress: string | null; username: string | null; ipOrUsername: boolean | undefined },
): Promise<ActiveLock[]> {
  const spray = sprayOf(axes)
  if (spray === null) return []
  const store = spray.sourcesOf(axes.handler)
  const covered = sourcesOfReset(filter)
  const lifted = before.filter(
    (lock) =>
      lock.kind === 'source' &&
      (covered === null || covered.includes(lock.fields.ip_address as string)),
  )
  if (covered === null) await store.resetSources(null)
  // The IP's own source (its network for IPv6), locked or counting usernames, and those lifted.
  const own = covered?.filter((s, i) => i === 0 || s.endsWith(`/${spray.settings.ipv6Prefix}`))
  for (const source of new Set([...(own ?? []), ...lifted.map((l) => l.fields.ip_address)])) {
    await store.resetSources(source as string)
  }
  return lifted
}
