/**
 * The contract between the database handler and a driver: a connection to one database that runs
 * statements with `?` placeholders, alone or in a transaction serialised on lock keys. One file
 * per driver beside this one: sqlite-sync.ts (opened by sqlite-open.ts), pg.ts, mysql2.ts, kysely.ts.
 */

import type { SqlDialect, SqlSession, TxSession } from '../sql.js'

/** A connection to one database. */
export interface SqlDriver {
  readonly dialect: SqlDialect
  /** Statements outside a transaction. */
  readonly session: SqlSession
  /**
   * Runs `fn` in a transaction that holds the given lock keys (sorted, so two transactions never
   * wait on each other in a circle); commits, or rolls back and rethrows.
   */
  transaction<T>(locks: readonly string[], fn: (session: TxSession) => Promise<T>): Promise<T>
  close(): Promise<void>
}
