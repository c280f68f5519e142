/**
 * Spray detection's sources on the database (the contract: ground/contract-sources.ts), in
 * node-axes' own table `axes_source` (migration 0003, which Django ignores): one row per
 * (source, username hash) with its last failure, and a locked source's one row
 * `locked:<usernames>:<locked at>` (the distinct usernames it had failed on, when it was locked)
 * holding when its lock lifts. Each failure runs in one transaction serialised on the source, so the count
 * is exact across processes; rows past their window are swept now and then by an indexed delete.
 */

import type { ResetFilter } from '../../ground/contract.js'
import {
  MAX_SOURCE_LOCKS,
  type SourceLock,
  type SourceStore,
  sourcesOfReset,
} from '../../ground/contract-sources.js'
import type { SqlContext } from './context.js'

/**
 * What a locked source's row's username starts with (username hashes are 32 hex digits: never
 * this); `locked` alone in rows written before the count was kept.
 */
const LOCKED = 'locked'
/** The locked rows, in a query: the prefix's characters are not LIKE patterns. */
const IS_LOCKED = `LIKE '${LOCKED}%'`

/** A locked source's row, read back; the count and time as 0 when the row did not keep them. */
function lockOfRow(source: string, marker: string, until: number): SourceLock {
  const [, usernames, since] = marker.split(':')
  return { source, usernames: Number(usernames ?? 0) || 0, since: Number(since ?? 0) || 0, until }
}

/** A handler's source store, and the sources its `resetAttempts(filter)` forgets. */
export interface DatabaseSources extends SourceStore {
  /** Forgets the sources a reset of attempts covers (`sourcesOfReset`); answers how many held state. */
  resetSourcesOf(filter: ResetFilter): Promise<number>
}

/** One failure in this many sweeps the whole table's expired rows. */
const SWEEP_EVERY = 64

/** The source store of a handler's context. */
export function sourcesOf(ctx: SqlContext): DatabaseSources {
  const { q, driver } = ctx
  const T = q('axes_source')
  const S = q('source')
  const U = q('username')
  const AT = q('failed_at')
  let failures = 0

  const resetSources = async (source: string | null) => {
    const s = driver.session
    const where = source === null ? '' : ` WHERE ${S} = ?`
    const params = source === null ? [] : [source]
    const rows = await s.all(`SELECT COUNT(DISTINCT ${S}) AS n FROM ${T}${where}`, params)
    await s.run(`DELETE FROM ${T}${where}`, params)
    return Number(rows[0]?.n ?? 0)
  }

  return {
    resetSources,

    async sourceLockedUntil(source, now) {
      const rows = await driver.session.all(
        `SELECT ${AT} AS until FROM ${T} WHERE ${S} = ? AND ${U} ${IS_LOCKED} AND ${AT} > ?`,
        [source, now],
      )
      return rows.length > 0 ? Number(rows[0]?.until) : null
    },

    noteSourceFailure(input) {
      const { source, username, now } = input
      const since = now - input.windowMs
      if (++failures % SWEEP_EVERY === 0) {
        // Expired usernames and lifted locks of sources nobody has touched since.
        void driver.session.run(`DELETE FROM ${T} WHERE ${AT} <= ?`, [since]).catch(() => undefined)
      }
      return driver.transaction([`axes_source:${source}`], async (s) => {
        const lock = await s.all(
          `SELECT ${AT} AS until FROM ${T} WHERE ${S} = ? AND ${U} ${IS_LOCKED}`,
          [source],
        )
        const until = lock.length > 0 ? Number(lock[0]?.until) : 0
        if (until > now) return { usernames: 0, lockedUntil: until, lockedNow: false }
        await s.run(
          `DELETE FROM ${T} WHERE ${S} = ? AND (${AT} <= ? OR ${U} = ? OR ${U} ${IS_LOCKED})`,
          [source, since, username],
        )
        await s.run(`INSERT INTO ${T} (${S}, ${U}, ${AT}) VALUES (?, ?, ?)`, [
          source,
          username,
          now,
        ])
        const rows = await s.all(`SELECT COUNT(*) AS n FROM ${T} WHERE ${S} = ?`, [source])
        const count = Number(rows[0]?.n ?? 0)
        if (count <= input.usernames)
          return { usernames: count, lockedUntil: null, lockedNow: false }
        const lockedUntil = now + input.cooloffMs
        await s.run(`DELETE FROM ${T} WHERE ${S} = ?`, [source])
        await s.run(`INSERT INTO ${T} (${S}, ${U}, ${AT}) VALUES (?, ?, ?)`, [
          source,
          `${LOCKED}:${count}:${now}`,
          lockedUntil,
        ])
        return { usernames: 0, lockedUntil, lockedNow: true }
      })
    },

    async listSourceLocks(now) {
      const rows = await driver.session.all(
        `SELECT ${S} AS source, ${U} AS marker, ${AT} AS until FROM ${T} WHERE ${U} ${IS_LOCKED} AND ${AT} > ? ORDER BY ${AT} DESC, ${S} LIMIT ${MAX_SOURCE_LOCKS}`,
        [now],
      )
      return rows.map((row) => lockOfRow(String(row.source), String(row.marker), Number(row.until)))
    },

    async resetSourcesOf(filter) {
      const sources = sourcesOfReset(filter)
      if (sources === null) return resetSources(null)
      if (sources.length === 0) return 0
      const marks = sources.map(() => '?').join(', ')
      const rows = await driver.session.all(
        `SELECT COUNT(DISTINCT ${S}) AS n FROM ${T} WHERE ${S} IN (${marks})`,
        sources,
      )
      await driver.session.run(`DELETE FROM ${T} WHERE ${S} IN (${marks})`, sources)
      return Number(rows[0]?.n ?? 0)
    },
  }
}
