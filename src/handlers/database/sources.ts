/**
 * Spray detection's sources on the database (the contract: ground/contract-sources.ts), in
 * node-axes' own table `axes_source` (migration 0003, which Django ignores): one row per
 * (source, username hash) with its last failure, and a locked source's one row `locked` holding
 * when its lock lifts. Each failure runs in one transaction serialised on the source, so the count
 * is exact across processes; rows past their window are swept now and then by an indexed delete.
 */

import type { SourceStore } from '../../ground/contract-sources.js'
import type { SqlContext } from './context.js'

/** The username of a locked source's row (username hashes are 32 hex digits: never this). */
const LOCKED = 'locked'

/** One failure in this many sweeps the whole table's expired rows. */
const SWEEP_EVERY = 64

/** The source store of a handler's context. */
export function sourcesOf(ctx: SqlContext): SourceStore {
  const { q, driver } = ctx
  const T = q('axes_source')
  const S = q('source')
  const U = q('username')
  const AT = q('failed_at')
  let failures = 0

  return {
    async sourceLockedUntil(source, now) {
      const rows = await driver.session.all(
        `SELECT ${AT} AS until FROM ${T} WHERE ${S} = ? AND ${U} = ? AND ${AT} > ?`,
        [source, LOCKED, now],
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
        const lock = await s.all(`SELECT ${AT} AS until FROM ${T} WHERE ${S} = ? AND ${U} = ?`, [
          source,
          LOCKED,
        ])
        const until = lock.length > 0 ? Number(lock[0]?.until) : 0
        if (until > now) return { usernames: 0, lockedUntil: until, lockedNow: false }
        await s.run(`DELETE FROM ${T} WHERE ${S} = ? AND (${AT} <= ? OR ${U} IN (?, ?))`, [
          source,
          since,
          username,
          LOCKED,
        ])
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
          LOCKED,
          lockedUntil,
        ])
        return { usernames: 0, lockedUntil, lockedNow: true }
      })
    },

    async resetSources(source) {
      const s = driver.session
      const where = source === null ? '' : ` WHERE ${S} = ?`
      const params = source === null ? [] : [source]
      const rows = await s.all(`SELECT COUNT(DISTINCT ${S}) AS n FROM ${T}${where}`, params)
      await s.run(`DELETE FROM ${T}${where}`, params)
      return Number(rows[0]?.n ?? 0)
    },
  }
}
