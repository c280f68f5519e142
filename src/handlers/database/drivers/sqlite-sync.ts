/**
 * The SQLite driver on a synchronous connection, whichever library gives it: Node's built-in
 * `node:sqlite` (the embedded default), Bun's `bun:sqlite`, or better-sqlite3 (sqlite-open.ts opens
 * them). Prepared statements, one connection; transactions take SQLite's write lock up front
 * (`BEGIN IMMEDIATE`) and commit in groups.
 */

import type { SqlRow, SqlSession, TxSession } from '../sql.js'
import { timeoutError } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { storable, withDeferred } from './transaction.js'

/**
 * What the driver uses of a synchronous SQLite connection: the same in node:sqlite (`DatabaseSync`),
 * bun:sqlite (`Database`) and better-sqlite3 (`Database`).
 */
export interface SyncSqliteDatabase {
  prepare(sql: string): {
    all(...params: unknown[]): unknown[]
    run(...params: unknown[]): { changes: number | bigint }
  }
  exec(sql: string): unknown
  close(): unknown
}

/**
 * Whether a SQLite error is SQLITE_BUSY (another connection holds the lock): better-sqlite3 and
 * bun:sqlite name it in `code`, node:sqlite gives the number in `errcode` (5, or an extended code
 * whose low byte is 5).
 */
export function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown }
  if (e?.code === 'SQLITE_BUSY') return true
  return typeof e?.errcode === 'number' && (e.errcode & 0xff) === 5
}

/**
 * A driver on a synchronous SQLite connection (WAL and foreign keys set by the caller). Such a
 * connection waits for a lock synchronously, freezing the event loop, so SQLite's own busy timeout is kept
 * short and the write lock is waited for here, asynchronously. Each transaction has `timeoutMs`
 * from the moment it is asked for, however long it queued behind others: one still waiting for
 * the lock then fails with a store error, and is never run later.
 */
export function syncSqliteDriver(db: SyncSqliteDatabase, timeoutMs = 5000): SqlDriver {
  const statements = new Map<string, ReturnType<SyncSqliteDatabase['prepare']>>()
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
    run: async (sql, params = []) => Number(prepared(sql).run(...bind(params)).changes),
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
      if (!isBusy(error)) throw error
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
        if (!isBusy(error)) throw error
        if (Date.now() >= deadline) throw busy()
      }
    }
  }
  /**
   * Rolls back what is left of a transaction: SQLite may have rolled it back itself (after an I/O
   * error or a full disk), and not every library tells whether one is open, so none left is fine.
   */
  const rollback = () => {
    try {
      prepared('ROLLBACK').run()
    } catch {
      // No transaction was active.
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
        rollback()
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
      rollback()
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
