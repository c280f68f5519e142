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
import { AxesError } from '../ground/errors.js'
import type { AxesInstance, ResetRequestFilter } from './instance.js'

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
  return listLocksOf(axes.handler, {
    now: axes.options.clock(),
    rule: axes.listingRule(),
    parameters: typeof parameters === 'function' ? null : parameters,
  })
}

/**
 * Lifts one lock (an `id` from `lockedOut`): resets exactly the bucket it locks, every row or
 * counter that counts toward it across user agents, and nothing else. Resolves to the lock as it
 * was listed (null when it was not in force) and how many rows or buckets went. Rejects with
 * `AXES_INVALID_ARGUMENT` for an id that is not a lock's.
 */
export async function unlock(axes: AxesInstance, id: string): Promise<UnlockResult> {
  const fields = typeof id === 'string' ? decodeBucketKey(id) : null
  if (!fields || id === '' || encodeBucketKey(fields) !== id) {
    throw new AxesError('AXES_INVALID_ARGUMENT', `unlock: ${JSON.stringify(id)} is not a lock id`)
  }
  const before = await lockedOut(axes).catch(() => [])
  const lock = before.find((l) => l.id === id) ?? null
  return { id, lock, removed: await axes.handler.resetBuckets([{ key: id, fields }]) }
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
  const { ipAddress = null, username = null } = axes.resetFilterOf(filter)
  const before = await locks()
  const removed = await axes.reset(filter)
  return { removed, remaining: locksStillHolding(before, await locks(), ipAddress, username) }
}
