/**
 * The driver on a Kysely instance of any of the three dialects (the application's own, or
 * node-axes' MySQL pool): statements as Kysely's raw queries, transactions on one connection
 * locked as the dialect's object says (`lockedTransaction`).
 */

import type { Kysely } from 'kysely'
import { DIALECTS } from '../dialects/index.js'
import type { SqlDialect, SqlRow, SqlSession, TxSession } from '../sql.js'
import { timeoutError } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { lockKeys, retryOnDeadlock, storable, withDeferred } from './transaction.js'

interface KyselyExecutor {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: unknown }): Promise<{
    rows: unknown[]
    numAffectedRows?: bigint
  }>
}

/**
 * A driver on a Kysely instance of any of the three dialects. The connections are the
 * application's: at the deadline (`timeoutMs`) the operation is answered (by the handler), and a
 * transaction that resumes after it rolls back instead of committing; a statement still running
 * on the server is left to the application's own timeouts.
 */
export async function kyselyDriver(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  timeoutMs = 0,
): Promise<SqlDriver> {
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
    const until = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY
    const late = () => {
      if (Date.now() >= until) throw timeoutError('a transaction', timeoutMs)
    }
    return db.connection().execute((connection) => {
      const s = sessionOf(connection as unknown as KyselyExecutor)
      // Past the deadline the caller has its answer: the work stops and the transaction rolls back.
      const guarded: SqlSession = {
        all: async (sql, params) => {
          late()
          return s.all(sql, params)
        },
        run: async (sql, params) => {
          late()
          return s.run(sql, params)
        },
      }
      return spec.lockedTransaction(s, keys, async () => {
        late()
        const result = await withDeferred(guarded, fn)
        late()
        return result
      })
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
