/**
 * `node-axes/database`: the database handler on django-axes' own tables — SQLite through
 * better-sqlite3 (the embedded default), PostgreSQL through pg, MySQL and MariaDB through mysql2,
 * or the application's own Kysely instance.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { databaseHandler } from 'node-axes/database'
 *
 * const axes = createAxes({ handler: databaseHandler({ url: 'postgres://axes@db/app' }) })
 * ```
 *
 * @packageDocumentation
 */

import type { Kysely } from 'kysely'
import type { AxesHandler } from '../../ground/contract.js'
import { AxesError, AxesStoreError, describeError } from '../../ground/errors.js'
import {
  type BetterSqliteDatabase,
  betterSqliteDriver,
  kyselyDriver,
  type PgPipelinedClient,
  type PgPool,
  pgDriver,
  type SqlDialect,
  type SqlDriver,
} from './driver.js'
import { sqlHandler } from './handler.js'
import { type MigrationResult, migrate as runMigrations } from './migrate.js'

/**
 * Pipelined PostgreSQL connections for statements outside a transaction (recording a failure,
 * checking): two, so that the server works on two statements at once while each connection
 * carries many in flight.
 */
const PIPELINED_LANES = 2

export type { MigrationResult } from './migrate.js'
export { MIGRATIONS } from './migrations.js'

/** Options of `databaseHandler`. */
export interface DatabaseHandlerOptions {
  /**
   * Where the tables live: `sqlite:./axes.sqlite3` (a file; `sqlite::memory:` in memory),
   * `postgres://user:password@host:5432/db`, `mysql://user:password@host:3306/db`.
   */
  url?: string
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
  /** SQLite: how long a write waits for another process's lock. @default 5000 (ms) */
  busyTimeoutMs?: number
  /**
   * PostgreSQL and MySQL: the most connections in the pool. On PostgreSQL the pool serves
   * transactions, and two pipelined connections besides it carry the statements outside a
   * transaction. @default 10
   */
  poolSize?: number
}

/** The database handler, with its migrations. */
export interface DatabaseHandler extends AxesHandler {
  /** The dialect in use. */
  readonly dialect: SqlDialect
  /** Creates (or adopts) the tables; safe to run from several processes at once. */
  migrate(): Promise<MigrationResult>
  /** Closes the connection (or the pool). */
  close(): Promise<void>
}

/** Which dialect a URL names. */
export function dialectOfUrl(url: string): SqlDialect {
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase()
  if (scheme === 'sqlite' || scheme === 'file') return 'sqlite'
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres'
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql'
  throw new AxesError(
    'AXES_INVALID_OPTIONS',
    `databaseHandler: unsupported URL scheme '${scheme}:' (use sqlite:, postgres: or mysql:)`,
  )
}

/** The SQLite file a `sqlite:` URL names (`:memory:` for memory). */
export function sqlitePath(url: string): string {
  const rest = url.replace(/^(sqlite|file):(\/\/)?/i, '')
  return rest === '' ? ':memory:' : decodeURIComponent(rest)
}

async function importOptional<T>(name: string, purpose: string): Promise<T> {
  try {
    return (await import(name)) as T
  } catch (error) {
    throw new AxesStoreError(
      `${purpose} needs the package '${name}': npm install ${name} (${describeError(error)})`,
      { cause: error },
    )
  }
}

async function connect(options: DatabaseHandlerOptions): Promise<SqlDriver> {
  if (options.db) {
    const dialect = options.dialect ?? guessDialect(options.db)
    return kyselyDriver(options.db, dialect)
  }
  const url = options.url as string
  const dialect = dialectOfUrl(url)
  if (dialect === 'sqlite') {
    const mod = await importOptional<{ default: new (file: string) => BetterSqliteDatabase }>(
      'better-sqlite3',
      'the SQLite database handler',
    )
    const db = new mod.default(sqlitePath(url))
    db.pragma('journal_mode = WAL')
    // Short in SQLite itself (it blocks the event loop while it waits); the driver waits for the
    // write lock asynchronously, up to busyTimeoutMs.
    db.pragma('busy_timeout = 20')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    // A checkpoint (two fsyncs) every 10,000 WAL pages instead of SQLite's 1,000: measured, failures
    // recorded one at a time went from ~16,000/s to ~23,000/s. The WAL file grows to about 40 MB
    // between checkpoints.
    db.pragma('wal_autocheckpoint = 10000')
    return betterSqliteDriver(db, Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000)))
  }
  if (dialect === 'postgres') {
    const pg = await importOptional<{
      default: { Pool: new (config: object) => unknown; Client: new (config: object) => unknown }
    }>('pg', 'the PostgreSQL database handler')
    const pool = new pg.default.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      // Statements of one transaction go out together instead of one round trip each.
      pipeline: true,
    }) as PgPool & { on(event: 'error', listener: (error: Error) => void): void }
    // An idle connection the server drops (a restart, a failover) must not crash the process: the
    // next query fails instead, and onStoreError answers it.
    pool.on('error', () => {})
    return pgDriver(pool, {
      lanes: PIPELINED_LANES,
      open: () =>
        new pg.default.Client({ connectionString: url, pipeline: true }) as PgPipelinedClient,
    })
  }
  const { Kysely, MysqlDialect } = await import('kysely')
  const mysql = await importOptional<{ createPool: (config: object) => unknown }>(
    'mysql2',
    'the MySQL database handler',
  )
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: options.poolSize ?? 10,
    timezone: 'Z',
    dateStrings: true,
    charset: 'utf8mb4',
  })
  ;(pool as { on?: (event: string, listener: () => void) => void }).on?.('error', () => {})
  return kyselyDriver(new Kysely({ dialect: new MysqlDialect({ pool: pool as never }) }), dialect)
}

// biome-ignore lint/suspicious/noExplicitAny: any Kysely<DB> is accepted, whatever its tables
function guessDialect(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter.constructor.name.toLowerCase()
  if (adapter.includes('postgres')) return 'postgres'
  if (adapter.includes('mysql')) return 'mysql'
  if (adapter.includes('sqlite')) return 'sqlite'
  throw new AxesError(
    'AXES_INVALID_OPTIONS',
    "databaseHandler: cannot tell the Kysely instance's dialect; pass dialect: 'sqlite' | 'postgres' | 'mysql'",
  )
}

/**
 * Creates the database handler. Connecting (and, with `autoMigrate`, migrating) happens on the
 * first operation, so `createAxes` stays synchronous; a failure to connect is a store error that
 * `onStoreError` answers.
 */
export function databaseHandler(options: DatabaseHandlerOptions): DatabaseHandler {
  if (!options.url && !options.db) {
    throw new AxesError('AXES_INVALID_OPTIONS', 'databaseHandler: give a url or a Kysely db')
  }
  const dialect = options.db
    ? (options.dialect ?? guessDialect(options.db))
    : dialectOfUrl(options.url as string)
  // On for SQLite (a file or memory, by URL or Kysely instance: the embedded case), off for servers.
  const autoMigrate = options.autoMigrate ?? dialect === 'sqlite'

  let driver: Promise<SqlDriver> | null = null
  const getDriver = () => {
    driver ??= connect(options).catch((error: unknown) => {
      driver = null
      throw error
    })
    return driver
  }

  // The handler proper is built on the first use, over the connected driver.
  let inner: Promise<AxesHandler> | null = null
  let settings: Parameters<NonNullable<AxesHandler['attach']>>[0] | null = null
  const handler = () => {
    inner ??= getDriver()
      .then(async (d) => {
        if (autoMigrate) await runMigrations(d)
        const h = sqlHandler(d)
        if (settings) h.attach?.(settings)
        return h
      })
      .catch((error: unknown) => {
        inner = null
        throw error
      })
    return inner
  }

  // Once built, calls go straight to the handler (no extra await per operation).
  let built: AxesHandler | null = null
  const call =
    <K extends keyof AxesHandler>(method: K) =>
    (...args: unknown[]) => {
      if (built) {
        try {
          return (built[method] as (...a: unknown[]) => unknown)(...args)
        } catch (error) {
          return Promise.reject(error)
        }
      }
      return handler().then((h) => {
        built = h
        return (h[method] as (...a: unknown[]) => unknown)(...args)
      })
    }

  return {
    name: 'database',
    shared: true,
    kind: 'database',
    dialect,
    attach(next) {
      settings = next
    },
    getFailures: call('getFailures') as AxesHandler['getFailures'],
    reserve: call('reserve') as AxesHandler['reserve'],
    settle: call('settle') as AxesHandler['settle'],
    recordFailure: call('recordFailure') as AxesHandler['recordFailure'],
    loggedIn: call('loggedIn') as AxesHandler['loggedIn'],
    loggedOut: call('loggedOut') as AxesHandler['loggedOut'],
    resetBuckets: call('resetBuckets') as AxesHandler['resetBuckets'],
    resetAttempts: call('resetAttempts') as AxesHandler['resetAttempts'],
    resetLogs: call('resetLogs') as AxesHandler['resetLogs'],
    resetFailureLogs: call('resetFailureLogs') as AxesHandler['resetFailureLogs'],
    listAttempts: call('listAttempts') as NonNullable<AxesHandler['listAttempts']>,
    queryAttempts: call('queryAttempts') as NonNullable<AxesHandler['queryAttempts']>,
    getAttempt: call('getAttempt') as NonNullable<AxesHandler['getAttempt']>,
    deleteAttempts: call('deleteAttempts') as NonNullable<AxesHandler['deleteAttempts']>,
    cleanExpiredAttempts: call('cleanExpiredAttempts') as NonNullable<
      AxesHandler['cleanExpiredAttempts']
    >,
    queryAccessLogs: call('queryAccessLogs') as NonNullable<AxesHandler['queryAccessLogs']>,
    queryFailureLogs: call('queryFailureLogs') as NonNullable<AxesHandler['queryFailureLogs']>,
    attemptStats: call('attemptStats') as NonNullable<AxesHandler['attemptStats']>,
    async migrate() {
      return runMigrations(await getDriver())
    },
    async close() {
      if (!driver) return
      const d = await driver.catch(() => null)
      driver = null
      inner = null
      built = null
      await d?.close()
    },
  }
}
