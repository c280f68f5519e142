/**
 * Connecting: the dialect a URL or a Kysely instance names, and the driver opened for it
 * (the runtime's SQLite for `sqlite:`, pg for `postgres:`, mysql2 for `mysql:`, or the
 * application's own Kysely instance), its optional package imported only then.
 */

import type { Kysely } from 'kysely'
import { AxesError, AxesStoreError, describeError } from '../../../ground/errors.js'
import type { DatabaseHandlerOptions } from '../options.js'
import type { SqlDialect } from '../sql.js'
import { timeoutOf } from './deadline.js'
import type { SqlDriver } from './driver.js'
import { kyselyDriver } from './kysely.js'
import { type Mysql2Pool, mysql2Driver } from './mysql2.js'
import { pgDriver } from './pg.js'
import type { PgPipelinedClient, PgPool } from './pg-types.js'
import { openSqliteFile } from './sqlite-open.js'

/**
 * Pipelined PostgreSQL connections for statements outside a transaction (recording a failure,
 * checking): two, so that the server works on two statements at once while each connection
 * carries many in flight.
 */
const PIPELINED_LANES = 2

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

/** An optional peer dependency, or a store error saying how to install it. */
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

/** A SQLite file (or memory) through the runtime's SQLite library (sqlite-open.ts). */
function openSqlite(url: string, options: DatabaseHandlerOptions): Promise<SqlDriver> {
  return openSqliteFile(sqlitePath(url), options)
}

/** PostgreSQL through a pg Pool of node-axes' own, with pipelined connections beside it. */
async function openPostgres(url: string, options: DatabaseHandlerOptions): Promise<SqlDriver> {
  const pg = await importOptional<{
    default: { Pool: new (config: object) => unknown; Client: new (config: object) => unknown }
  }>('pg', 'the PostgreSQL database handler')
  const timeoutMs = timeoutOf(options)
  const pool = new pg.default.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // A free slot and a new connection are waited for up to the deadline, not for ever.
    connectionTimeoutMillis: timeoutMs,
    // Statements of one transaction go out together instead of one round trip each.
    pipeline: true,
  }) as PgPool & { on(event: 'error', listener: (error: Error) => void): void }
  // An idle connection the server drops (a restart, a failover) must not crash the process: the
  // next query fails instead, and onStoreError answers it.
  pool.on('error', () => {})
  return pgDriver(
    pool,
    {
      lanes: PIPELINED_LANES,
      open: () =>
        new pg.default.Client({
          connectionString: url,
          pipeline: true,
          connectionTimeoutMillis: timeoutMs,
        }) as PgPipelinedClient,
    },
    timeoutMs,
  )
}

/** MySQL or MariaDB through a mysql2 pool of node-axes' own. */
async function openMysql(url: string, options: DatabaseHandlerOptions): Promise<SqlDriver> {
  const mysql = await importOptional<{ createPool: (config: object) => unknown }>(
    'mysql2',
    'the MySQL database handler',
  )
  const timeoutMs = timeoutOf(options)
  const pool = mysql.createPool({
    uri: url,
    connectionLimit: options.poolSize ?? 10,
    timezone: 'Z',
    dateStrings: true,
    charset: 'utf8mb4',
    // A server that accepts and never answers fails the connection by the deadline.
    ...(timeoutMs > 0 ? { connectTimeout: timeoutMs } : {}),
  })
  ;(pool as { on?: (event: string, listener: () => void) => void }).on?.('error', () => {})
  return mysql2Driver(pool as Mysql2Pool, timeoutMs)
}

/** How a URL of each dialect is opened. */
const OPEN: Readonly<
  Record<SqlDialect, (url: string, options: DatabaseHandlerOptions) => Promise<SqlDriver>>
> = { sqlite: openSqlite, postgres: openPostgres, mysql: openMysql }

/** Connects to the database the options name (or wraps their Kysely instance). */
export async function connect(options: DatabaseHandlerOptions): Promise<SqlDriver> {
  if (options.db) {
    const dialect = options.dialect ?? guessDialect(options.db)
    return kyselyDriver(options.db, dialect, timeoutOf(options))
  }
  const url = options.url as string
  return OPEN[dialectOfUrl(url)](url, options)
}

/** The dialect of a Kysely instance, from its adapter. */
// biome-ignore lint/suspicious/noExplicitAny: any Kysely<DB> is accepted, whatever its tables
export function guessDialect(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter.constructor.name.toLowerCase()
  if (adapter.includes('postgres')) return 'postgres'
  if (adapter.includes('mysql')) return 'mysql'
  if (adapter.includes('sqlite')) return 'sqlite'
  throw new AxesError(
    'AXES_INVALID_OPTIONS',
    "databaseHandler: cannot tell the Kysely instance's dialect; pass dialect: 'sqlite' | 'postgres' | 'mysql'",
  )
}
