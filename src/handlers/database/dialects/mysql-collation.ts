/**
 * MySQL and MariaDB: "the same username" as the tables' collation sees it. Django's columns
 * compare under the database's collation, and with a `_ci` PAD SPACE collation (MariaDB's default
 * utf8mb4_general_ci, the utf8mb4_unicode_ci Django recommends) `Alice`, `ALICE` and `alice ` are
 * one row; an accent-insensitive one merges `alicé` too, and utf8mb4_general_ci every character
 * outside the BMP. The reservations and locks in flight must merge exactly as the rows do, or each
 * spelling gets a limit of its own. So a bucket's key is rebuilt from its values' collation
 * weights as the database computes them (`WEIGHT_STRING` under each column's own collation), with
 * the trailing space weights a PAD SPACE collation ignores taken off: two values get the same
 * key exactly when the column compares them equal, whatever the collation (NO PAD, binary, a
 * future one), with nothing to keep in step with the server's rules.
 */

import type { Bucket, LockoutParameter } from '../../../ground/buckets.js'
import { AxesStoreError } from '../../../ground/errors.js'
import type { SqlSession } from '../sql.js'
import type { CollatedKeys } from './dialect.js'

/** One column's collation as the database reported it. */
interface Collation {
  readonly charset: string
  readonly name: string
  /** The weight of one space, stripped from the end of a weight under PAD SPACE; '' for NO PAD. */
  readonly space: string
}

const TAGS: Record<LockoutParameter, string> = { ip_address: 'i', username: 'u', user_agent: 'a' }
const COLUMNS = Object.keys(TAGS) as LockoutParameter[]
/** How many values' weights are remembered (the collation never changes under a running server). */
const CACHE_SIZE = 10_000
const IDENTIFIER = /^\w+$/

/** The collated keys of buckets on a MySQL or MariaDB database, read on `session`. */
export function mysqlCollatedKeys(session: SqlSession): CollatedKeys {
  let collations: Promise<Partial<Record<LockoutParameter, Collation>>> | null = null
  const cache = new Map<string, string>()

  const readCollations = async () => {
    const rows = await session.all(
      "SELECT column_name AS name, character_set_name AS cs, collation_name AS coll FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'axes_accessattempt' AND column_name IN ('ip_address', 'username', 'user_agent')",
    )
    if (rows.length < COLUMNS.length) {
      // Not migrated yet: the operation fails on its own; ask again next time.
      throw new AxesStoreError('mysql: the table axes_accessattempt is missing (run migrate())')
    }
    const found: Partial<Record<LockoutParameter, Collation>> = {}
    for (const row of rows) {
      const column = String(row.name ?? row.NAME) as LockoutParameter
      const charset = String(row.cs ?? row.CS)
      const name = String(row.coll ?? row.COLL)
      if (!IDENTIFIER.test(charset) || !IDENTIFIER.test(name)) continue
      const c = `COLLATE ${name}`
      const [probe] = await session.all(
        `SELECT (CONVERT('a ' USING ${charset}) ${c}) = (CONVERT('a' USING ${charset}) ${c}) AS pad, HEX(WEIGHT_STRING(CONVERT(' ' USING ${charset}) ${c})) AS space`,
      )
      const pad = Number(probe?.pad) === 1
      found[column] = { charset, name, space: pad ? String(probe?.space ?? '') : '' }
    }
    return found
  }

  const weightOf = (collation: Collation, hex: string): string => {
    const unit = collation.space
    if (unit === '') return hex
    let end = hex.length
    while (end >= unit.length && (end - unit.length) % unit.length === 0) {
      if (hex.slice(end - unit.length, end) !== unit) break
      end -= unit.length
    }
    return hex.slice(0, end)
  }

  return async (buckets) => {
    collations ??= readCollations().catch((error: unknown) => {
      collations = null
      throw error
    })
    const byColumn = await collations
    // This call's weights: from the cache, and those not known yet asked in one statement.
    const weights = new Map<string, string>()
    const wanted = new Map<string, [Collation, string]>()
    for (const bucket of buckets) {
      for (const column of COLUMNS) {
        const value = bucket.fields[column]
        const collation = byColumn[column]
        if (typeof value !== 'string' || !collation) continue
        const id = `${column}\0${value}`
        const known = cache.get(id)
        if (known === undefined) wanted.set(id, [collation, value])
        else weights.set(id, known)
      }
    }
    if (wanted.size > 0) {
      const asked = [...wanted]
      const [row] = await session.all(
        `SELECT ${asked
          .map(
            ([, [c]], i) =>
              `HEX(WEIGHT_STRING(CONVERT(? USING ${c.charset}) COLLATE ${c.name})) AS w${i}`,
          )
          .join(', ')}`,
        asked.map(([, [, value]]) => value),
      )
      asked.forEach(([id, [collation]], i) => {
        const hex = row?.[`w${i}`]
        if (typeof hex !== 'string') {
          throw new AxesStoreError('mysql: WEIGHT_STRING gave no weight for a bucket value')
        }
        const weight = weightOf(collation, hex)
        weights.set(id, weight)
        if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string)
        cache.set(id, weight)
      })
    }
    return buckets.map((bucket): Bucket => {
      let key = 'c'
      for (const column of COLUMNS) {
        if (!(column in bucket.fields)) continue
        const value = bucket.fields[column]
        const weight =
          typeof value !== 'string'
            ? '-'
            : byColumn[column]
              ? `=${weights.get(`${column}\0${value}`)}`
              : `${value.length}:${value}`
        key += `${TAGS[column]}${weight};`
      }
      return { key, fields: bucket.fields }
    })
  }
}
