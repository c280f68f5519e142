/**
 * The database driver the handler talks to: SQL with `?` placeholders, run on SQLite through
 * better-sqlite3 directly (the embedded default: synchronous, prepared statements), or on any
 * dialect through a Kysely instance (PostgreSQL with pg, MySQL/MariaDB with mysql2, or the
 * application's own). A transaction is serialised per client: SQLite takes the write lock up
 * front (`BEGIN IMMEDIATE`), PostgreSQL takes transaction-scoped advisory locks, MySQL named locks.
 */

import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { AxesStoreError } from '../../core/errors.js'

/** The SQL dialects the database handler speaks. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql'

/** A row as drivers return it. */
export type SqlRow = Record<string, unknown>

/** Runs statements; inside a transaction when given to a transaction's callback. */
export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>
  run(sql: string, params?: readonly unknown[]): Promise<number>
}

/** A connection to one database. */
export interface SqlDriver {
  readonly dialect: SqlDialect
  /** Statements outside a transaction. */
  readonly session: SqlSession
  /**
   * Runs `fn` in a transaction that holds the given lock keys (sorted, so two transactions never
   * wait on each other in a circle); commits, or rolls back and rethrows.
   */
  transaction<T>(locks: readonly string[], fn: (session: SqlSession) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** A lock key's stable hash (hex), used for names the database limits in length. */
export function lockHash(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

/** The subset of better-sqlite3's Database the driver uses. */
export interface BetterSqliteDatabase {
  prepare(sql: string): {
    all(...params: unknown[]): unknown[]
    run(...params: unknown[]): { changes: number }
    reader: boolean
  }
  exec(sql: string): unknown
  pragma(sql: string): unknown
  close(): unknown
  readonly inTransaction: boolean
}

/** A driver on a better-sqlite3 database (WAL, busy timeout and foreign keys set by the caller). */
export function betterSqliteDriver(db: BetterSqliteDatabase): SqlDriver {
  const statements = new Map<string, ReturnType<BetterSqliteDatabase['prepare']>>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  const bind = (params: readonly unknown[]) =>
    params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : storable(p)))
  const session: SqlSession = {
    all: async (sql, params = []) => prepared(sql).all(...bind(params)) as SqlRow[],
    run: async (sql, params = []) => prepared(sql).run(...bind(params)).changes,
  }
  // One connection: transactions of this process queue behind each other; other processes wait
  // on SQLite's write lock (busy timeout).
  let queue: Promise<unknown> = Promise.resolve()
  return {
    dialect: 'sqlite',
    session,
    transaction<T>(_locks: readonly string[], fn: (s: SqlSession) => Promise<T>): Promise<T> {
      const run = async () => {
        prepared('BEGIN IMMEDIATE').run()
        try {
          const result = await fn(session)
          prepared('COMMIT').run()
          return result
        } catch (error) {
          if (db.inTransaction) prepared('ROLLBACK').run()
          throw error
        }
      }
      const next = queue.then(run, run)
      queue = next.then(
        () => undefined,
        () => undefined,
      )
      return next
    },
    close: async () => {
      db.close()
    },
  }
}

/**
 * A parameter as every dialect can store it: text with NUL written as U+FFFD (as the core
 * sanitises identities; PostgreSQL refuses NUL in text), anything else as it is.
 */
export function storable(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\0')
    ? value.replaceAll('\0', '\uFFFD')
    : value
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our SQL never has `?` inside a literal). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

interface KyselyExecutor {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: unknown }): Promise<{
    rows: unknown[]
    numAffectedRows?: bigint
  }>
}

/** A driver on a Kysely instance of any of the three dialects. */
export async function kyselyDriver(db: Kysely<unknown>, dialect: SqlDialect): Promise<SqlDriver> {
  const { CompiledQuery } = await import('kysely')
  const sessionOf = (executor: KyselyExecutor): SqlSession => ({
    all: async (sql, params = []) => {
      const text = dialect === 'postgres' ? numbered(sql) : sql
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return result.rows as SqlRow[]
    },
    run: async (sql, params = []) => {
      const text = dialect === 'postgres' ? numbered(sql) : sql
      const result = await executor.executeQuery(CompiledQuery.raw(text, params.map(storable)))
      return Number(result.numAffectedRows ?? 0n)
    },
  })
  const session = sessionOf(db as unknown as KyselyExecutor)
  return {
    dialect,
    session,
    async transaction<T>(locks: readonly string[], fn: (s: SqlSession) => Promise<T>) {
      const keys = [...new Set(locks.map(lockHash))].sort()
      if (dialect === 'postgres') {
        return db.transaction().execute(async (trx) => {
          const s = sessionOf(trx as unknown as KyselyExecutor)
          for (const key of keys) {
            await s.all('SELECT pg_advisory_xact_lock(1096304979, hashtext(?))', [key])
          }
          return fn(s)
        })
      }
      if (dialect === 'mysql') {
        return db.connection().execute(async (connection) => {
          const s = sessionOf(connection as unknown as KyselyExecutor)
          const held: string[] = []
          try {
            for (const key of keys) {
              const name = `axes:${key.slice(0, 58)}`
              const rows = await s.all('SELECT GET_LOCK(?, 30) AS got', [name])
              if (Number(rows[0]?.got) !== 1) {
                throw new AxesStoreError(`could not take the MySQL lock ${name} within 30 s`)
              }
              held.push(name)
            }
            await s.run('START TRANSACTION')
            try {
              const result = await fn(s)
              await s.run('COMMIT')
              return result
            } catch (error) {
              await s.run('ROLLBACK')
              throw error
            }
          } finally {
            for (const name of held) await s.all('SELECT RELEASE_LOCK(?) AS released', [name])
          }
        })
      }
      return db.connection().execute(async (connection) => {
        const s = sessionOf(connection as unknown as KyselyExecutor)
        await s.run('BEGIN IMMEDIATE')
        try {
          const result = await fn(s)
          await s.run('COMMIT')
          return result
        } catch (error) {
          await s.run('ROLLBACK')
          throw error
        }
      })
    },
    close: async () => {
      await db.destroy()
    },
  }
}
