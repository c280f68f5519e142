/**
 * Repeated wrong passwords on the database (the contract: ground/contract-passwords.ts), in
 * node-axes' own table `axes_wrongpassword` (migration 0004, which Django ignores): one row per
 * (bucket, keyed hash), the bucket as the SHA-256 of its key, with when the hash was added and
 * when the bucket's hashes expire. Each note runs in one transaction serialised on its buckets, so
 * a repeat is recognised exactly across processes; expired rows are swept now and then by an
 * indexed delete.
 */

import type { WrongPasswordStore } from '../../ground/contract-passwords.js'
import type { SqlContext } from './context.js'
import { lockHash } from './sql.js'

/** One note in this many sweeps the whole table's expired rows. */
const SWEEP_EVERY = 64

/** The wrong-password store of a handler's context. */
export function wrongPasswordsOf(ctx: SqlContext): WrongPasswordStore {
  const { q, driver } = ctx
  const T = q('axes_wrongpassword')
  const B = q('bucket')
  const H = q('hash')
  const ADDED = q('added_at')
  const EXPIRES = q('expires_at')
  let notes = 0

  return {
    noteWrongPassword(input) {
      const { keep, now } = input
      const entries = input.entries.map(({ bucket, hash }) => ({ bucket: lockHash(bucket), hash }))
      if (++notes % SWEEP_EVERY === 0) {
        // The hashes of buckets nobody has touched since they expired.
        void driver.session.run(`DELETE FROM ${T} WHERE ${EXPIRES} <= ?`, [now]).catch(() => {})
      }
      const locks = entries.map(({ bucket }) => `axes_wrongpassword:${bucket}`)
      return driver.transaction(locks, async (s) => {
        const marks = entries.map(() => '?').join(', ')
        const rows = await s.all(
          `SELECT ${B} AS bucket, ${H} AS hash, ${ADDED} AS added FROM ${T} WHERE ${B} IN (${marks}) AND ${EXPIRES} > ?`,
          [...entries.map(({ bucket }) => bucket), now],
        )
        const held = new Map<string, { hash: string; added: number }[]>()
        for (const row of rows) {
          const bucket = String(row.bucket)
          const list = held.get(bucket) ?? []
          list.push({ hash: String(row.hash), added: Number(row.added) })
          held.set(bucket, list)
        }
        for (const { bucket, hash } of entries) {
          if (held.get(bucket)?.some((row) => row.hash === hash)) return true
        }
        const expires = now + input.windowMs
        for (const { bucket, hash } of entries) {
          const current = (held.get(bucket) ?? []).sort((a, b) => a.added - b.added)
          const dropped = current.slice(0, Math.max(0, current.length + 1 - keep))
          // Expired rows, the oldest beyond `keep`, and this hash if it lingered expired.
          const gone = [hash, ...dropped.map((row) => row.hash)]
          await s.run(
            `DELETE FROM ${T} WHERE ${B} = ? AND (${EXPIRES} <= ? OR ${H} IN (${gone.map(() => '?').join(', ')}))`,
            [bucket, now, ...gone],
          )
          await s.run(`UPDATE ${T} SET ${EXPIRES} = ? WHERE ${B} = ?`, [expires, bucket])
          await s.run(`INSERT INTO ${T} (${B}, ${H}, ${ADDED}, ${EXPIRES}) VALUES (?, ?, ?, ?)`, [
            bucket,
            hash,
            now,
            expires,
          ])
        }
        return false
      })
    },

    async resetWrongPasswords(bucket) {
      const s = driver.session
      const where = bucket === null ? '' : ` WHERE ${B} = ?`
      const params = bucket === null ? [] : [lockHash(bucket)]
      const rows = await s.all(`SELECT COUNT(DISTINCT ${B}) AS n FROM ${T}${where}`, params)
      await s.run(`DELETE FROM ${T}${where}`, params)
      return Number(rows[0]?.n ?? 0)
    },
  }
}
