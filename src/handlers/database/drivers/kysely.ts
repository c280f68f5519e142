/**
 * The driver on a Kysely instance of any of the three dialects (the application's own, or
 * node-axes' MySQL pool): statements as Kysely's raw queries, transactions on one connection
 * locked as the dialect's object says (`lockedTransaction`).
 */

import type { Kysely } from 'kysely'
import { DIALECTS } from '../dialects/index.js'
import type { SqlDialect, SqlRow, SqlSession, TxSession } from '../sql.js'
import type { SqlDriver } from './driver.js'
import { lockKeys, retryOnDeadlock, storable, withDeferred } from './transaction.js'

interface KyselyExecutor {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: unknown }): Promise<{
    rows: unknown[]
    numAffectedRows?: bigint
  }>
}

/** A driver on a Kysely instance of any of the three dialects. */
export async function kyselyDriver(db: Kysely<unknown>, dialect: SqlDialect): Promise<SqlDriver> {
  const { CompiledQuery } = await import('kysely')
  const spec = DIALECTS[dialect]
  const sessionOf = (executor: KyselyExecutor): SqlSession => ({
    all: async (sql, params = []) => {
      const text = spec.placeholders(sql)
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return result.rows as SqlRow[]
    },
    run: async (sql, params = []) => {
      const text = spec.placeholders(sql)
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return Number(result.numAffectedRows ?? 0n)
    },
  })
  const session = sessionOf(db as unknown as KyselyExecutor)
  const once = <T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> => {
    const keys = lockKeys(locks)
    return db.connection().execute((connection) => {
      const s = sessionOf(connection as unknown as KyselyExecutor)
      return spec.lockedTransaction(s, keys, () => withDeferred(s, fn))
    })
  }
  return {
    dialect,
    session,
    transaction<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>) {
      return retryOnDeadlock(() => once(locks, fn))
    },
    close: async () => {
      await db.destroy()
    },
  }
}
