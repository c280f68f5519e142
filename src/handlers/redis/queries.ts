/**
 * The Redis handler's listing and the admin pages' queries: node-axes' buckets found by SCAN on
 * every master, each read by READ_SCRIPT as an admin entry (its id the bucket's canonical key; a
 * bucket keeps no path nor request data), deleted, or swept when expired.
 */

import { decodeBucketKey, type LockoutParameter } from '../../ground/buckets.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  AttemptStats,
  AttemptStatsQuery,
  QueryPage,
} from '../../ground/contract-browsing.js'
import {
  type ActiveLock,
  type LockQuery,
  lockOfBucket,
  sortLocks,
} from '../../ground/contract-locks.js'
import { AxesStoreError } from '../../ground/errors.js'
import { snapshotOf } from '../entries.js'
import { pageOfAttempts, statsOfBuckets } from '../query.js'
import type { RedisCommands } from './client.js'
import type { KeyLayout } from './keys.js'
import { CLEAN_SCRIPT, CLEAN_SHA, READ_SCRIPT, READ_SHA } from './scripts.js'

const SCAN_COUNT = '1000'

/** A bucket's Redis key found by SCAN, and the fields its name holds. */
export interface ScannedBucket {
  key: string
  fields: Partial<Record<LockoutParameter, string | null>>
}

/** The listing and admin queries over one client and key layout. */
export class RedisQueries {
  readonly #commands: RedisCommands
  readonly #keys: KeyLayout

  constructor(commands: RedisCommands, keys: KeyLayout) {
    this.#commands = commands
    this.#keys = keys
  }

  /** Lists stored attempts, most recent first, from every master. */
  async listAttempts(options: { limit?: number; now: number }): Promise<AttemptSnapshot[]> {
    const out: AttemptSnapshot[] = (await this.#entries('listAttempts', options.now)).map(
      snapshotOf,
    )
    out.sort((a, b) => b.attemptTime.getTime() - a.attemptTime.getTime())
    return options.limit === undefined ? out : out.slice(0, options.limit)
  }

  /** A page of the buckets whose failures still count, as admin entries. */
  async queryAttempts(query: AttemptQuery): Promise<QueryPage<AttemptDetail>> {
    return pageOfAttempts(await this.#entries('queryAttempts', query.now), query)
  }

  /** One bucket by its canonical key, or null when it is not a bucket's or holds no failure. */
  async getAttempt(id: string, options: { now: number }): Promise<AttemptDetail | null> {
    const fields = typeof id === 'string' ? decodeBucketKey(id) : null
    if (!fields) return null
    const row = await this.#commands.evalsha(
      ['EVALSHA', READ_SHA, 1, this.#keys.keyOf(id)],
      READ_SCRIPT,
      'getAttempt',
    )
    return detailOf(id, fields, row, options.now)
  }

  /** Deletes buckets by their canonical keys; how many existed. */
  async deleteAttempts(ids: readonly string[]): Promise<number> {
    const keys = [...new Set(ids)]
      .filter((id) => typeof id === 'string' && decodeBucketKey(id) !== null)
      .map((id) => this.#keys.keyOf(id))
    // One command a key: with hashTag 'field' the keys may live on different masters.
    const removed = await Promise.all(
      keys.map((key) => this.#commands.send(['UNLINK', key], 'deleteAttempts')),
    )
    return removed.reduce<number>((sum, n) => sum + Number(n), 0)
  }

  /** Deletes the buckets expired as of `now`; how many. */
  async cleanExpiredAttempts(options: { now: number }): Promise<number> {
    // Redis forgets a bucket by itself when its TTL ends; this sweeps those expired as of the
    // core's clock, each checked and deleted in one step by a script.
    let removed = 0
    await this.scanBuckets('cleanExpiredAttempts', async (batch) => {
      const counts = await Promise.all(
        batch.map(({ key }) =>
          this.#commands.evalsha(
            ['EVALSHA', CLEAN_SHA, 1, key, String(options.now)],
            CLEAN_SCRIPT,
            'cleanExpiredAttempts',
          ),
        ),
      )
      for (const n of counts) removed += Number(n)
    })
    return removed
  }

  /** The admin dashboard's figures over every bucket whose failures still count. */
  async attemptStats(query: AttemptStatsQuery): Promise<AttemptStats> {
    return statsOfBuckets(await this.#entries('attemptStats', query.now), query)
  }

  /** The locks in force: the buckets locked now, read from every master. */
  async listLocks(query: LockQuery): Promise<ActiveLock[]> {
    const locks: ActiveLock[] = []
    for (const entry of await this.#entries('listLocks', query.now)) {
      const lock = lockOfBucket(entry, query.now)
      if (lock !== null) locks.push(lock)
    }
    return sortLocks(locks)
  }

  /**
   * Calls `each` with the node-axes bucket keys under the prefix, a SCAN batch at a time, on every
   * master of a cluster. Keys that are not buckets (reservations, foreign keys) are skipped.
   */
  async scanBuckets(
    operation: string,
    each: (batch: ScannedBucket[]) => Promise<void>,
  ): Promise<void> {
    const pattern = this.#keys.scanPattern()
    const masters = this.#commands.masters()
    if (masters.length === 0) {
      // A Cluster client that has not connected yet knows no masters: scanning none would
      // silently reset or list nothing.
      throw new AxesStoreError(
        `redis handler: ${operation} failed: the cluster client knows no masters yet (not connected)`,
      )
    }
    for (const master of masters) {
      let cursor = '0'
      do {
        const reply = (await this.#commands.send(
          ['SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT],
          operation,
          master,
        )) as [string, string[]]
        cursor = String(reply[0])
        const batch: ScannedBucket[] = []
        for (const key of reply[1]) {
          const bucketKey = this.#keys.bucketKeyOf(key)
          if (bucketKey === null) continue
          const fields = decodeBucketKey(bucketKey)
          if (fields && Object.keys(fields).length > 0) batch.push({ key, fields })
        }
        if (batch.length > 0) await each(batch)
      } while (cursor !== '0')
    }
  }

  /** Every bucket whose failures still count, as admin entries, read from every master. */
  async #entries(operation: string, now: number): Promise<AttemptDetail[]> {
    const out: AttemptDetail[] = []
    await this.scanBuckets(operation, async (batch) => {
      // The values are binary (see scripts.ts): a small script reads each one as text, on the
      // master that holds it. A key deleted since the SCAN reads as null.
      const rows = await Promise.all(
        batch.map(({ key }) =>
          this.#commands.evalsha(['EVALSHA', READ_SHA, 1, key], READ_SCRIPT, operation),
        ),
      )
      for (let i = 0; i < batch.length; i++) {
        const { key, fields } = batch[i] as ScannedBucket
        const detail = detailOf(this.#keys.bucketKeyOf(key) ?? '', fields, rows[i], now)
        if (detail !== null) out.push(detail)
      }
    })
    return out
  }
}

/** A bucket read by READ_SCRIPT as an admin entry, or null when it holds no failure that counts. */
function detailOf(
  id: string,
  fields: Partial<Record<string, string | null>>,
  reply: unknown,
  now: number,
): AttemptDetail | null {
  const row = Array.isArray(reply) ? (reply as unknown[]) : null
  const failures = Number(row?.[0] ?? 0)
  const expires = parseStoredTime(row?.[3])
  if (!(failures > 0) || (expires !== null && expires <= now)) return null
  const lift = parseStoredTime(row?.[2])
  return {
    id,
    ipAddress: fields.ip_address ?? null,
    username: fields.username ?? null,
    userAgent: fields.user_agent ?? null,
    failures,
    attemptTime: new Date(Number(row?.[1] ?? 0)),
    lockedUntil: lift !== null && lift > now ? lift : null,
    pathInfo: null,
    httpAccept: null,
    getData: null,
    postData: null,
    expiresAt: expires !== null && Number.isFinite(expires) ? new Date(expires) : null,
  }
}

/** A time as READ_SCRIPT reads it: null for none, Infinity for `inf`, else epoch milliseconds. */
function parseStoredTime(value: unknown): number | null {
  if (value === null || value === undefined || value === '' || value === '0') return null
  if (value === 'inf') return Number.POSITIVE_INFINITY
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}
