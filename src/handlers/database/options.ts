/** The options of `databaseHandler` (node-axes/database). */

import type { Kysely } from 'kysely'
import type { LockCacheOptions } from '../lock-cache/index.js'
import type { SqlDialect } from './sql.js'

/**
 * The SQLite library: Node's built-in `node:sqlite` (the default; Deno provides it too), Bun's
 * `bun:sqlite` (the default on Bun), `better-sqlite3` (an optional peer, imported by name), or
 * better-sqlite3's `Database` class itself (for bundled applications).
 */
export type SqliteDriverChoice =
  | 'node:sqlite'
  | 'bun:sqlite'
  | 'better-sqlite3'
  | (abstract new (
      file: string,
    ) => unknown)

/** Options of `databaseHandler`. */
export interface DatabaseHandlerOptions {
  /**
   * Where the tables live: `sqlite:./axes.sqlite3` (a file; `sqlite::memory:` in memory),
   * `postgres://user:password@host:5432/db`, `mysql://user:password@host:3306/db`.
   */
  url?: string
  /**
   * SQLite: the library that opens the file. @default 'node:sqlite' ('bun:sqlite' on Bun)
   */
  sqliteDriver?: SqliteDriverChoice
  /** The application's own Kysely instance (SQLite, PostgreSQL or MySQL dialect). */
  // biome-ignore lint/suspicious/noExplicitAny: any Kysely<DB> is accepted, whatever its tables
  db?: Kysely<any>
  /** With `db`: its dialect, when node-axes cannot tell from the instance. */
  dialect?: SqlDialect
  /**
   * Run the migrations before the first operation. On by default for SQLite, off for server
   * databases (run `migrate()` or the CLI's `migrate` from your deployment instead).
   */
  autoMigrate?: boolean
  /**
   * The deadline of every operation (ms): one that has no answer by then (a frozen or unreachable
   * server, a lock held elsewhere, a pool with no free connection) fails as a store error, which
   * `onStoreError` answers, and the connection it was waiting on is closed rather than reused.
   * 0 waits for ever. @default 5000
   */
  timeoutMs?: number
  /** SQLite: the older name of `timeoutMs`, used when `timeoutMs` is not given. */
  busyTimeoutMs?: number
  /**
   * PostgreSQL and MySQL: the most connections in the pool. On PostgreSQL the pool serves
   * transactions, and two pipelined connections besides it carry the statements outside a
   * transaction. @default 10
   */
  poolSize?: number
  /**
   * How long a row is kept after its last failure when the rule never expires failures (no
   * cool-off): such rows go as the handler writes, and with `cleanExpiredAttempts`, once this
   * has passed, so that what an attacker writes cannot fill the tables for ever. A lockout without
   * a cool-off thus lasts until reset, or until no attempt has come for this long (each refused
   * attempt extends it, with `resetCoolOffOnFailureDuringLockout`).
   * @default 2_592_000_000 (30 days)
   */
  retentionMs?: number
  /**
   * The lock cache (`withLockCache`): a client the database says is locked is answered from this
   * process's memory for up to a second (`maxStaleMs`), so that a flood of its requests costs the
   * database one operation a second, and a reset made elsewhere (the admin of another process, the
   * command line, a Django service) is honoured within that second (one made through this handler
   * at once). `false` asks the database every time; an object sets its options.
   * @default true
   */
  lockCache?: boolean | LockCacheOptions
}
