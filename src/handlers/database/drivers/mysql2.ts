/**
 * The driver on a mysql2 pool of node-axes' own (a `mysql:` URL): statements on pooled
 * connections, transactions locked as the MySQL dialect says (named locks around READ COMMITTED),
 * and the deadline (`timeoutMs`) enforced on the connection itself: a connection whose statement
 * has no answer in time is destroyed, never handed to the next operation with a statement still
 * in flight (the server rolls back its transaction and frees its named locks when it sees it gone).
 */

import { DIALECTS } from '../dialects/index.js'
import type { SqlRow, SqlSession, TxSession } from '../sql.js'
import { timeoutError } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { lockKeys, retryOnDeadlock, storable, withDeferred } from './transaction.js'

/** The subset of a mysql2 pooled connection the driver uses. */
export interface Mysql2Connection {
  query(
    sql: string,
    values: readonly unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): unknown
  release(): void
  destroy(): void
  readonly stream?: { destroy?(): void }
}

/** The subset of a mysql2 pool (callback API) the driver uses. */
export interface Mysql2Pool {
  getConnection(callback: (error: Error | null, connection: Mysql2Connection) => void): void
  end(callback?: (error?: Error | null) => void): void
}

/** A connection checked out for one operation, given up when its deadline passes. */
class Checkout {
  connection: Mysql2Connection | null = null
  dead = false
  readonly #pending = new Set<(error: Error) => void>()
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(ms: number, what: string) {
    if (ms > 0) {
      this.#timer = setTimeout(() => this.kill(timeoutError(what, ms)), ms)
    }
  }

  /** Gives the connection up: destroyed, and every statement waiting on it failed. */
  kill(error: Error): void {
    if (this.dead) return
    this.dead = true
    clearTimeout(this.#timer)
    const connection = this.connection
    if (connection) {
      connection.destroy()
      connection.stream?.destroy?.()
    }
    for (const fail of this.#pending) fail(error)
    this.#pending.clear()
  }

  /** The pooled connection, or the deadline's error. */
  acquire(pool: Mysql2Pool): Promise<Mysql2Connection> {
    return new Promise((resolve, reject) => {
      this.#pending.add(reject)
      pool.getConnection((error, connection) => {
        this.#pending.delete(reject)
        if (error) return reject(error)
        // Too late: the operation was answered already, the connection goes back unused.
        if (this.dead) return connection.release()
        this.connection = connection
        resolve(connection)
      })
    })
  }

  /** One statement on the checked-out connection. */
  query(sql: string, params: readonly unknown[]): Promise<unknown> {
    const connection = this.connection
    if (this.dead || !connection) return Promise.reject(timeoutError('a statement', 0))
    return new Promise((resolve, reject) => {
      this.#pending.add(reject)
      connection.query(sql, params.map(storable), (error, result) => {
        this.#pending.delete(reject)
        if (error) reject(error)
        else resolve(result)
      })
    })
  }

  /** Back to the pool, or destroyed when it is dead or failed in a way that may leave it broken. */
  finish(broken: boolean): void {
    clearTimeout(this.#timer)
    const connection = this.connection
    this.connection = null
    if (!connection || this.dead) return
    if (broken) connection.destroy()
    else connection.release()
  }
}

/** What a statement answers: rows for a SELECT, a count for a write. */
const rowsOf = (result: unknown): SqlRow[] => (Array.isArray(result) ? (result as SqlRow[]) : [])
const countOf = (result: unknown): number =>
  Number((result as { affectedRows?: unknown } | null)?.affectedRows ?? 0)

/** Whether a statement's error leaves its connection unusable (the network, the protocol). */
const isFatal = (error: unknown) => Boolean((error as { fatal?: unknown } | null)?.fatal)

/** A driver on a mysql2 pool, each operation bounded by `timeoutMs` (0: none). */
export function mysql2Driver(pool: Mysql2Pool, timeoutMs: number): SqlDriver {
  const spec = DIALECTS.mysql
  const statement = async (sql: string, params: readonly unknown[] = []) => {
    const checkout = new Checkout(timeoutMs, 'a statement')
    let broken = false
    try {
      await checkout.acquire(pool)
      return await checkout.query(sql, params)
    } catch (error) {
      broken = isFatal(error)
      throw error
    } finally {
      checkout.finish(broken)
    }
  }
  const session: SqlSession = {
    all: async (sql, params) => rowsOf(await statement(sql, params)),
    run: async (sql, params) => countOf(await statement(sql, params)),
  }
  const once = async <T>(keys: readonly string[], fn: (s: TxSession) => Promise<T>) => {
    const checkout = new Checkout(timeoutMs, 'a transaction')
    let broken = false
    try {
      await checkout.acquire(pool)
      const s: SqlSession = {
        all: async (sql, params = []) => rowsOf(await checkout.query(sql, params)),
        run: async (sql, params = []) => countOf(await checkout.query(sql, params)),
      }
      return await spec.lockedTransaction(s, keys, () => withDeferred(s, fn))
    } catch (error) {
      // A transaction that failed half-way (its ROLLBACK or a lock's release may not have run) is
      // not handed to the next operation.
      broken = true
      throw error
    } finally {
      checkout.finish(broken)
    }
  }
  return {
    dialect: 'mysql',
    session,
    transaction<T>(locks: readonly string[], fn: (s: TxSession) => Promise<T>): Promise<T> {
      const keys = lockKeys(locks)
      return retryOnDeadlock(() => once(keys, fn))
    },
    close: () =>
      new Promise<void>((resolve) => {
        pool.end(() => resolve())
      }),
  }
}
