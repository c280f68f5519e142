/**
 * What the database handler asks of an SQL dialect, declared once: quoting, date-times, text
 * functions, upserts, how a transaction takes its locks, and the migrations' DDL. One object per
 * dialect implements it (sqlite.ts, postgres.ts, mysql.ts); code outside dialects/ asks that object
 * rather than testing the dialect's name.
 */

import type { Bucket } from '../../../ground/buckets.js'
import type { SqlDialect, SqlSession } from '../sql.js'

/**
 * Buckets rekeyed as the tables' collation compares their values: two buckets get the same key
 * exactly when their rows merge (the fields are kept as they are).
 */
export type CollatedKeys = (buckets: readonly Bucket[]) => Promise<Bucket[]>

/** A migration's statement, skipped when the table, index or column it would make is already there. */
export interface MigrationStep {
  readonly sql: string
  readonly unlessTableExists?: string
  readonly unlessIndexExists?: string
  /** `[table, column]` */
  readonly unlessColumnExists?: readonly [string, string]
}

/** A failure's write on the attempt's row, as the counting module builds it for any dialect. */
export interface FailureWrite {
  /** The UPDATE that adds the failure to the row (django-axes' way), and its parameters. */
  readonly updateSql: string
  readonly updateParams: readonly unknown[]
  /** The row's own condition (username, IP, user agent) and its parameters. */
  readonly cond: string
  readonly rowParams: readonly unknown[]
  /** The parenthesised column list a new row is inserted with (its values are given apart). */
  readonly columns: string
  /** The failure window's edge as a parameter: a row at or before it starts again at 1. */
  readonly stale: unknown
  /** The separator written between two requests' data, and how much of the data a row keeps. */
  readonly separator: string
  readonly dataCap: number
}

/**
 * A failure recorded in one statement without node-axes' locks (PostgreSQL): the upsert is atomic,
 * so no increment is lost, and the statement reports what it found so that a race can be noticed.
 */
export interface OneStatementFailure {
  /**
   * The write alone: update the row, or insert it with `values` (`columns`' values but the last,
   * `failures_since_start`, which is 1), adding to a row another writer just made.
   */
  upsertSql(write: FailureWrite, values: readonly unknown[]): [string, unknown[]]
  /**
   * The write, the release of a reservation (`token`, when given: the write then happens only
   * when it released the place, or when `expired`), and the buckets as the statement's snapshot
   * saw them: `statesSql`'s rows, each with `conflicted` (the insert met a row the snapshot did not
   * show), `updated` (rows updated), `after` (the row's new count), `before` (the row's count
   * within the window before the write) and, with a token, `released`.
   */
  recordSql(
    write: FailureWrite,
    values: readonly unknown[],
    token: string | null,
    expired: boolean,
    statesSql: string,
    statesParams: readonly unknown[],
  ): [string, unknown[]]
}

/** One SQL dialect as the database handler uses it. */
export interface SqlDialectSpec {
  readonly name: SqlDialect
  /** An embedded database (a file or memory): migrated on first use unless told otherwise. */
  readonly embedded: boolean
  /** An identifier, quoted. */
  quote(name: string): string
  /** A statement with `?` placeholders as the dialect's driver takes it. */
  placeholders(sql: string): string
  /** A date-time parameter (milliseconds since the epoch) as the dialect stores it. */
  datetimeParam(ms: number): unknown
  /** An SQL expression giving a date-time column (or aggregate) as milliseconds, or null. */
  datetimeMsSql(expression: string): string
  /** The last `count` characters of a text expression. */
  lastChars(expression: string, count: number): string
  /** Text expressions joined end to end. */
  concat(parts: readonly string[]): string
  /** An IP column as text (PostgreSQL's inet prints a netmask when cast). */
  ipText(column: string): string
  /**
   * An INSERT of one row (`columns` parenthesised, `values` the VALUES list's inside) that does
   * nothing, and counts 0, where the row's (username, IP, user agent) already exists.
   */
  insertUnlessExists(table: string, columns: string, values: string): string
  /**
   * Present where the tables' text columns may compare different strings equal (MySQL's `_ci` and
   * PAD SPACE collations): the keys the locks and reservations in flight must use instead of the
   * buckets' own, so that they merge exactly as the rows do. Absent where equality is byte for
   * byte (SQLite's BINARY, PostgreSQL's deterministic collations: Django's columns).
   */
  collatedKeys?(session: SqlSession): CollatedKeys
  /** Present where a failure can be recorded in one statement without locks. */
  readonly oneStatementFailure?: OneStatementFailure
  /**
   * Runs `work` in a transaction on one connection holding the lock keys (hex digests, sorted):
   * commits, or rolls back and rethrows. For drivers that do not lock on their own (Kysely).
   */
  lockedTransaction<T>(s: SqlSession, keys: readonly string[], work: () => Promise<T>): Promise<T>
  /** The statements of each migration, by the migration's name. Frozen once shipped. */
  readonly migrations: Readonly<Record<string, readonly MigrationStep[]>>
  /** The query (and its parameters) giving a row when a table or an index exists. */
  existsQuery(kind: 'table' | 'index', name: string): [string, unknown[]]
  /** The query (and its parameters) giving a row when a table has a column. */
  columnExistsQuery(table: string, column: string): [string, unknown[]]
}

/** Runs `work` between `begin` and COMMIT on one session, rolling back if it throws. */
export async function transactionOn<T>(
  s: SqlSession,
  begin: string,
  work: () => Promise<T>,
): Promise<T> {
  await s.run(begin)
  try {
    const result = await work()
    await s.run('COMMIT')
    return result
  } catch (error) {
    await s.run('ROLLBACK')
    throw error
  }
}
