/**
 * Opening a SQLite file (or memory) with the library the runtime offers: Node's built-in
 * `node:sqlite` by default (Deno provides it too), `bun:sqlite` on Bun, or better-sqlite3 when the
 * application asks for it (`sqliteDriver`). Nothing compiled at install for the first two.
 */

import { AxesStoreError, describeError } from '../../../ground/errors.js'
import type { DatabaseHandlerOptions, SqliteDriverChoice } from '../options.js'
import { timeoutOf } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { type SyncSqliteDatabase, syncSqliteDriver } from './sqlite-sync.js'

/** The constructor of a synchronous SQLite connection (better-sqlite3's default export). */
type Opener = new (file: string) => SyncSqliteDatabase

/** Whether this runtime is Bun. */
function onBun(): boolean {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined'
}

/** The library used when the options name none: bun:sqlite on Bun, node:sqlite elsewhere. */
export function defaultSqliteDriver(): 'node:sqlite' | 'bun:sqlite' {
  return onBun() ? 'bun:sqlite' : 'node:sqlite'
}

/** The message of node:sqlite's experimental warning (Node 22 prints it; 24 no longer does). */
const EXPERIMENTAL = /^SQLite is an experimental feature/

/**
 * Imports node:sqlite without its experimental warning: while the module loads, that one warning
 * (type ExperimentalWarning, message about SQLite) is dropped; any other goes through.
 */
async function importNodeSqlite(specifier: string): Promise<unknown> {
  const emit = process.emitWarning
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const message = typeof warning === 'string' ? warning : warning?.message
    const first = rest[0] as string | { type?: string } | undefined
    const type = typeof first === 'string' ? first : (first?.type ?? (warning as Error)?.name)
    if (type === 'ExperimentalWarning' && EXPERIMENTAL.test(String(message))) return
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    return await import(specifier)
  } finally {
    process.emitWarning = emit
  }
}

/** The SQLite libraries `sqliteDriver` names. */
export const SQLITE_LIBRARIES = ['node:sqlite', 'bun:sqlite', 'better-sqlite3'] as const

/** How to get each library's connection constructor, and what to say when it is not there. */
const LIBRARIES: Readonly<
  Record<(typeof SQLITE_LIBRARIES)[number], { load(): Promise<Opener>; fix: string }>
> = {
  'node:sqlite': {
    // The specifier is held in a variable: bundlers and the build leave it as it is.
    load: async () =>
      ((await importNodeSqlite('node:sqlite')) as { DatabaseSync: Opener }).DatabaseSync,
    fix: "node:sqlite is built into Node 22.13 and later (and Deno 2.2): upgrade Node, or install better-sqlite3 and pass sqliteDriver: 'better-sqlite3'",
  },
  'bun:sqlite': {
    load: async () => {
      const specifier = 'bun:sqlite'
      return (
        (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ specifier)) as {
          Database: Opener
        }
      ).Database
    },
    fix: 'bun:sqlite is built into Bun',
  },
  'better-sqlite3': {
    // An optional peer: bundlers (webpack, Next.js' Turbopack) must not try to resolve it.
    load: async () => {
      const specifier = 'better-sqlite3'
      return (
        (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ specifier)) as {
          default: Opener
        }
      ).default
    },
    fix: 'install it (npm install better-sqlite3; it compiles a native addon where no prebuilt one fits), or leave sqliteDriver unset for the built-in node:sqlite',
  },
}

/** The connection constructor the options choose, or an error naming what is missing and the fix. */
async function openerOf(choice: SqliteDriverChoice | undefined): Promise<Opener> {
  if (typeof choice === 'function') return choice as unknown as Opener
  const name = choice ?? defaultSqliteDriver()
  const library = LIBRARIES[name]
  try {
    return await library.load()
  } catch (error) {
    throw new AxesStoreError(
      `the SQLite database handler needs ${name}, which this runtime cannot load (${describeError(error)}): ${library.fix}`,
      { cause: error },
    )
  }
}

/**
 * Opens a SQLite file (or `:memory:`) and sets it up as the handler needs: WAL, a short busy
 * timeout in SQLite itself (it blocks the event loop while it waits; the driver waits for the write
 * lock asynchronously, up to `timeoutMs`), foreign keys, synchronous NORMAL, and a checkpoint every
 * 10,000 WAL pages instead of SQLite's 1,000 (measured on better-sqlite3: failures recorded one at
 * a time went from ~16,000/s to ~23,000/s; the WAL file grows to about 40 MB between checkpoints).
 */
export async function openSqliteFile(
  path: string,
  options: DatabaseHandlerOptions,
): Promise<SqlDriver> {
  const Database = await openerOf(options.sqliteDriver)
  const db = new Database(path)
  try {
    for (const pragma of [
      'journal_mode = WAL',
      'busy_timeout = 20',
      'foreign_keys = ON',
      'synchronous = NORMAL',
      'wal_autocheckpoint = 10000',
    ]) {
      db.exec(`PRAGMA ${pragma}`)
    }
  } catch (error) {
    db.close()
    throw error
  }
  return syncSqliteDriver(db, timeoutOf(options))
}
