/**
 * The driver on better-sqlite3 (the embedded default): synchronous, prepared statements, one
 * connection. Transactions take SQLite's write lock up front (`BEGIN IMMEDIATE`) and commit in
 * groups.
 */

import type { SqlRow, SqlSession, TxSession } from '../sql.js'
import { timeoutError } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { storable, withDeferred } from './transaction.js'

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

/**
 * A driver on a better-sqlite3 database (WAL and foreign keys set by the caller). better-sqlite3
 * waits for a lock synchronously, freezing the event loop, so SQLite's own busy timeout is kept
 * short and the write lock is waited for here, asynchronously. Each transaction has `timeoutMs`
 * from the moment it is asked for, however long it queued behind others: one still waiting for
 * the lock then fails with a store error, and is never run later.
 */
export function betterSqliteDriver(db: BetterSqliteDatabase, timeoutMs = 5000): SqlDriver {
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
    allNow: (sql, params = []) => prepared(sql).all(...bind(params)) as SqlRow[],
  }
  // One connection. Transactions of this process run one after another; those that arrive while a
  // batch is running form the next batch, committed together (group commit: one WAL write for many
  // logins), each inside its own savepoint so that one failing rolls back alone. Results are given
  // only after the commit. Other processes wait on SQLite's write lock (the busy timeout).
  interface Job {
    fn: (s: TxSession) => Promise<unknown>
    resolve: (value: unknown) => void
    reject: (error: unknown) => void
    /** Its deadline (ms since the epoch; Infinity for none). */
    until: number
  }
  let waiting: Job[] = []
  let running = false
  /** The error of a transaction that had no write lock by its deadline. */
  const busy = () => timeoutError('waiting for the SQLite write lock', timeoutMs)
  /**
   * Takes the write lock: at once when it is free (no await), else waiting asynchronously until
   * `deadline` (the batch's last deadline).
   */
  const begin = (deadline: number): Promise<void> | undefined => {
    try {
      prepared('BEGIN IMMEDIATE').run()
      return undefined
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error
      return beginLater(deadline)
    }
  }
  const beginLater = async (deadline: number) => {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8))
      try {
        prepared('BEGIN IMMEDIATE').run()
        return
      } catch (error) {
        const code = (error as { code?: unknown }).code
        if (code !== 'SQLITE_BUSY') throw error
        if (Date.now() >= deadline) throw busy()
      }
    }
  }
  /** The jobs of a batch still within their deadline; the others fail as a lock wait does. */
  const current = (batch: Job[], error: unknown): Job[] => {
    const now = Date.now()
    const live: Job[] = []
    for (const job of batch) {
      if (job.until > now) live.push(job)
      else job.reject(error)
    }
    return live
  }
  const runBatch = async (queued: Job[]) => {
    let batch = current(queued, busy())
    if (batch.length === 0) return
    try {
      const waiting = begin(Math.max(...batch.map((job) => job.until)))
      if (waiting !== undefined) await waiting
    } catch (error) {
      for (const job of batch) job.reject(error)
      return
    }
    // Those whose deadline passed while the lock was waited for are not run.
    batch = current(batch, busy())
    if (batch.length === 0) {
      prepared('ROLLBACK').run()
      return
    }
    const outcomes: [Job, boolean, unknown][] = []
    if (batch.length === 1) {
      // Alone in its transaction: no savepoint needed, a failure rolls the whole of it back.
      const job = batch[0] as Job
      try {
        const value = await withDeferred(session, job.fn)
        prepared('COMMIT').run()
        job.resolve(value)
      } catch (error) {
        if (db.inTransaction) prepared('ROLLBACK').run()
        job.reject(error)
      }
      return
    }
    for (const job of batch) {
      prepared('SAVEPOINT axes_job').run()
      try {
        const value = await withDeferred(session, job.fn)
        prepared('RELEASE axes_job').run()
        outcomes.push([job, true, value])
      } catch (error) {
        prepared('ROLLBACK TO axes_job').run()
        prepared('RELEASE axes_job').run()
        outcomes.push([job, false, error])
      }
    }
    try {
      prepared('COMMIT').run()
    } catch (error) {
      if (db.inTransaction) prepared('ROLLBACK').run()
      for (const job of batch) job.reject(error)
      return
    }
    for (const [job, ok, value] of outcomes) (ok ? job.resolve : job.reject)(value)
  }
  const drain = () => {
    if (running || waiting.length === 0) return
    running = true
    const batch = waiting
    waiting = []
    runBatch(batch).then(
      () => {
        running = false
        drain()
      },
      () => {
        running = false
        drain()
      },
    )
  }
  return {
    dialect: 'sqlite',
    session,
    transaction<T>(_locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          fn,
          resolve: resolve as (value: unknown) => void,
          reject,
          until: timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY,
        })
        drain()
      })
    },
    close: async () => {
      db.close()
    },
  }
}
