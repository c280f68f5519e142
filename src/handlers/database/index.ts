/**
 * `node-axes/database`: the database handler on django-axes' own tables — SQLite through the
 * runtime's own (node:sqlite, the embedded default; bun:sqlite on Bun) or better-sqlite3,
 * PostgreSQL through pg, MySQL and MariaDB through mysql2, or the application's own Kysely
 * instance.
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

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Promising } from '../../ground/awaitable.js'
import type { AxesHandler, CountingStore, HandlerCapabilities } from '../../ground/contract.js'
import type { AttemptBrowser, AttemptListing, LogBrowser } from '../../ground/contract-browsing.js'
import type { LockBrowser } from '../../ground/contract-locks.js'
import type { AccessLogStore } from '../../ground/contract-logs.js'
import type { WrongPasswordStore } from '../../ground/contract-passwords.js'
import type { SourceStore } from '../../ground/contract-sources.js'
import { AxesError } from '../../ground/errors.js'
import { lockCacheFor } from '../lock-cache/index.js'
import { DIALECTS } from './dialects/index.js'
import { connect, dialectOfUrl, guessDialect, sqlitePath } from './drivers/connect.js'
import { timeoutOf, withDeadline } from './drivers/deadline.js'
import type { SqlDriver } from './drivers/driver.js'
import { SQLITE_LIBRARIES } from './drivers/sqlite-open.js'
import { sqlHandler } from './handler.js'
import { type MigrationResult, migrate as runMigrations } from './migrate.js'
import { tableExists } from './migrations.js'
import type { DatabaseHandlerOptions } from './options.js'
import { notReady } from './ready.js'
import type { SqlDialect } from './sql.js'
import { DATABASE_SUPPORTS } from './supports.js'

export { dialectOfUrl, sqlitePath } from './drivers/connect.js'
export { defaultSqliteDriver } from './drivers/sqlite-open.js'
export type { MigrationResult } from './migrate.js'
export { MIGRATIONS } from './migrations.js'
export type { DatabaseHandlerOptions, SqliteDriverChoice } from './options.js'

/** The database handler, with its migrations. */
export interface DatabaseHandler
  extends Promising<CountingStore>,
    Promising<AccessLogStore>,
    Promising<AttemptListing>,
    Promising<AttemptBrowser>,
    Promising<LogBrowser>,
    Promising<LockBrowser>,
    Promising<SourceStore>,
    Promising<WrongPasswordStore> {
  /** It keeps access logs, lists its locks, and the admin pages can browse its attempts and logs. */
  readonly supports: HandlerCapabilities
  /** The dialect in use. */
  readonly dialect: SqlDialect
  /**
   * Connects (and, with `autoMigrate`, migrates) and asks the database something: fails with
   * `AXES_HANDLER_NOT_READY` saying what is missing (the driver, a writable file, the server).
   */
  ready(): Promise<void>
  /** Creates (or adopts) the tables; safe to run from several processes at once. */
  migrate(): Promise<MigrationResult>
  /**
   * Where the data lives and whether django-axes' tables are there, creating nothing: a SQLite
   * file that is missing is not opened (opening would create it), and nothing is migrated. The
   * command line asks before any command that only reads or resets.
   */
  probe(): Promise<StoreProbe>
  /** Closes the connection (or the pool). */
  close(): Promise<void>
}

/** What `probe()` found. */
export interface StoreProbe {
  /** A SQLite file's absolute path, a server URL without its password, or the Kysely instance. */
  readonly location: string
  /** Whether the database is there (always true for a server or a Kysely instance that connects). */
  readonly exists: boolean
  /** Whether it holds django-axes' attempts table (`axes_accessattempt`). */
  readonly tables: boolean
}

/** Where a database URL points, for messages: a SQLite file's absolute path, else the URL without its password. */
function locationOf(url: string): string {
  if (dialectOfUrl(url) === 'sqlite') {
    const path = sqlitePath(url)
    return path === ':memory:' ? 'an in-memory SQLite database' : resolve(path)
  }
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.href
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@')
  }
}

/**
 * Creates the database handler. Connecting (and, with `autoMigrate`, migrating) happens on the
 * first operation, so `createAxes` stays synchronous; a failure to connect is a store error that
 * `onStoreError` answers. It comes through the lock cache (see `lockCache`).
 */
export function databaseHandler(options: DatabaseHandlerOptions): DatabaseHandler {
  if (!options.url && !options.db) {
    throw new AxesError('AXES_INVALID_OPTIONS', 'databaseHandler: give a url or a Kysely db')
  }
  const dialect = options.db
    ? (options.dialect ?? guessDialect(options.db))
    : dialectOfUrl(options.url as string)
  for (const name of ['timeoutMs', 'busyTimeoutMs'] as const) {
    const value = options[name]
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0))) {
      throw new AxesError(
        'AXES_INVALID_OPTIONS',
        `databaseHandler: ${name} must be a number of milliseconds ≥ 0`,
      )
    }
  }
  const choice = options.sqliteDriver
  if (choice !== undefined && typeof choice !== 'function' && !SQLITE_LIBRARIES.includes(choice)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      `databaseHandler: sqliteDriver must be ${SQLITE_LIBRARIES.map((n) => `'${n}'`).join(', ')} or better-sqlite3's Database class`,
    )
  }
  // Every operation answers by then (the drivers give up what it waited on); 0 waits for ever.
  const timeoutMs = timeoutOf(options)
  // On for SQLite (a file or memory, by URL or Kysely instance: the embedded case), off for servers.
  const autoMigrate = options.autoMigrate ?? DIALECTS[dialect].embedded
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000
  if (!(Number.isInteger(retentionMs) && retentionMs >= 1000)) {
    throw new AxesError(
      'AXES_INVALID_OPTIONS',
      'databaseHandler: retentionMs must be a whole number of milliseconds ≥ 1000',
    )
  }

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
        const h = sqlHandler(d, retentionMs)
        if (settings) h.attach?.(settings)
        return h
      })
      .catch((error: unknown) => {
        inner = null
        throw error
      })
    return inner
  }

  // Once built, calls go straight to the handler (no extra await per operation), each under the
  // deadline: connecting and migrating on first use count in it too.
  let built: AxesHandler | null = null
  const call =
    <K extends keyof AxesHandler>(method: K) =>
    (...args: unknown[]) => {
      let work: Promise<unknown>
      if (built) {
        try {
          work = (built[method] as (...a: unknown[]) => Promise<unknown>)(...args)
        } catch (error) {
          return Promise.reject(error)
        }
      } else {
        work = handler().then((h) => {
          built = h
          return (h[method] as (...a: unknown[]) => unknown)(...args)
        })
      }
      return withDeadline(timeoutMs, method, work)
    }

  const store: DatabaseHandler = {
    name: 'database',
    shared: true,
    kind: 'database',
    supports: DATABASE_SUPPORTS,
    dialect,
    attach(next) {
      settings = next
    },
    getFailures: call('getFailures') as DatabaseHandler['getFailures'],
    reserve: call('reserve') as DatabaseHandler['reserve'],
    settle: call('settle') as DatabaseHandler['settle'],
    recordFailure: call('recordFailure') as DatabaseHandler['recordFailure'],
    loggedIn: call('loggedIn') as DatabaseHandler['loggedIn'],
    loggedOut: call('loggedOut') as DatabaseHandler['loggedOut'],
    resetBuckets: call('resetBuckets') as DatabaseHandler['resetBuckets'],
    resetAttempts: call('resetAttempts') as DatabaseHandler['resetAttempts'],
    resetLogs: call('resetLogs') as DatabaseHandler['resetLogs'],
    resetFailureLogs: call('resetFailureLogs') as DatabaseHandler['resetFailureLogs'],
    listAttempts: call('listAttempts') as DatabaseHandler['listAttempts'],
    queryAttempts: call('queryAttempts') as DatabaseHandler['queryAttempts'],
    getAttempt: call('getAttempt') as DatabaseHandler['getAttempt'],
    deleteAttempts: call('deleteAttempts') as DatabaseHandler['deleteAttempts'],
    cleanExpiredAttempts: call('cleanExpiredAttempts') as DatabaseHandler['cleanExpiredAttempts'],
    queryAccessLogs: call('queryAccessLogs') as DatabaseHandler['queryAccessLogs'],
    queryFailureLogs: call('queryFailureLogs') as DatabaseHandler['queryFailureLogs'],
    attemptStats: call('attemptStats') as DatabaseHandler['attemptStats'],
    listLocks: call('listLocks') as DatabaseHandler['listLocks'],
    sourceLockedUntil: call('sourceLockedUntil') as DatabaseHandler['sourceLockedUntil'],
    noteSourceFailure: call('noteSourceFailure') as DatabaseHandler['noteSourceFailure'],
    resetSources: call('resetSources') as DatabaseHandler['resetSources'],
    noteWrongPassword: call('noteWrongPassword') as DatabaseHandler['noteWrongPassword'],
    resetWrongPasswords: call('resetWrongPasswords') as DatabaseHandler['resetWrongPasswords'],
    listSourceLocks: call('listSourceLocks') as DatabaseHandler['listSourceLocks'],
    async migrate() {
      return runMigrations(await getDriver())
    },
    async ready() {
      try {
        // Connects and migrates as the first operation would, then asks the database something.
        const d = await withDeadline(
          timeoutMs,
          'ready',
          handler().then(() => getDriver()),
        )
        await withDeadline(timeoutMs, 'ready', d.session.all('SELECT 1 AS one'))
      } catch (error) {
        const location = options.url ? locationOf(options.url) : "the application's Kysely instance"
        const file = options.url && dialect === 'sqlite' ? sqlitePath(options.url) : null
        throw notReady(error, dialect, location, file === ':memory:' ? null : file)
      }
    },
    async probe() {
      const location = options.url ? locationOf(options.url) : "the application's Kysely instance"
      if (options.url && dialect === 'sqlite') {
        const path = sqlitePath(options.url)
        if (path !== ':memory:' && !existsSync(path))
          return { location, exists: false, tables: false }
      }
      const d = await getDriver()
      const tables = await tableExists(d.session, DIALECTS[dialect], 'axes_accessattempt')
      return { location, exists: true, tables }
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
  return lockCacheFor(store, options.lockCache)
}
