/**
 * The database handler's vocabulary, shared by the dialects, the drivers and the handler's
 * modules: the dialects' names, rows and sessions (statements with `?` placeholders), and the
 * hash that turns a lock key into a name the database accepts.
 */

import { createHash } from 'node:crypto'

/** The SQL dialects the database handler speaks. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql'

/** A row as drivers return it. */
export type SqlRow = Record<string, unknown>

/** Runs statements; inside a transaction when given to a transaction's callback. */
export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>
  run(sql: string, params?: readonly unknown[]): Promise<number>
  /**
   * The rows at once, where the driver can read without waiting (SQLite outside a
   * transaction): a check then costs no promise per layer.
   */
  allNow?(sql: string, params?: readonly unknown[]): SqlRow[]
}

/** A session inside a transaction. */
export interface TxSession extends SqlSession {
  /**
   * Hands over a statement whose result nobody reads: it must succeed for the transaction to
   * commit. PostgreSQL sends COMMIT right behind it without waiting (one round trip for the
   * transaction's last writes and its commit); the other drivers wait for it before committing.
   */
  defer(statement: Promise<unknown>): void
}

/** A lock key's stable hash (hex), used for names the database limits in length. */
export function lockHash(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
