/**
 * Migrations: versioned and frozen. Each is plain SQL per dialect (in the dialect's object,
 * dialects/), written once and never edited; a change to the schema is a new migration. The first
 * creates django-axes 8.3.1's four tables exactly as Django's migrations create them (names,
 * columns, types, constraints, indexes), or adopts them where a Django project already made them,
 * and adds what only node-axes uses:
 *
 * - `axes_migration`, which migrations have run;
 * - `axes_reservation`, the attempts in flight (reserved before their credentials are verified),
 *   which Django ignores;
 * - `axes_source` (migration 0003), spray detection's sources, which Django ignores too;
 * - `axes_wrongpassword` (migration 0004), repeated wrong passwords' keyed hashes, likewise.
 */

import {
  M0001_TABLES,
  M0002_SESSION_HASH,
  M0003_SOURCES,
  M0004_WRONG_PASSWORDS,
} from './dialects/ddl.js'
import type { MigrationStep, SqlDialectSpec } from './dialects/dialect.js'
import { DIALECTS } from './dialects/index.js'
import type { SqlDialect, SqlSession } from './sql.js'

export type { MigrationStep } from './dialects/dialect.js'

/** One migration: a name (ordered) and its statements per dialect. */
export interface Migration {
  readonly name: string
  /** Statements to run; `{table}` checks let a statement be skipped where the table exists. */
  readonly steps: (dialect: SqlDialect) => readonly MigrationStep[]
}

/** Every migration, in order. Frozen: never edit one that has shipped; add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  M0001_TABLES,
  M0002_SESSION_HASH,
  M0003_SOURCES,
  M0004_WRONG_PASSWORDS,
].map((name) => ({
  name,
  steps: (dialect) => DIALECTS[dialect].migrations[name] ?? [],
}))

/** The bookkeeping table's definition. */
export function migrationTableSql(dialect: SqlDialectSpec): string {
  const q = dialect.quote
  return `CREATE TABLE IF NOT EXISTS ${q('axes_migration')} (${q('name')} varchar(255) NOT NULL PRIMARY KEY, ${q('applied_at')} varchar(32) NOT NULL)`
}

/** Whether a table or an index (a unique constraint's too) exists in the current schema. */
async function objectExists(
  s: SqlSession,
  dialect: SqlDialectSpec,
  kind: 'table' | 'index',
  name: string,
): Promise<boolean> {
  const [sql, params] = dialect.existsQuery(kind, name)
  const rows = await s.all(sql, params)
  return rows.length > 0 && rows[0]?.name !== null && rows[0]?.name !== undefined
}

/** Whether a table exists (in the current schema/database). */
export function tableExists(
  s: SqlSession,
  dialect: SqlDialectSpec,
  table: string,
): Promise<boolean> {
  return objectExists(s, dialect, 'table', table)
}

/** Whether an index (or a unique constraint's index) exists. */
export function indexExists(
  s: SqlSession,
  dialect: SqlDialectSpec,
  index: string,
): Promise<boolean> {
  return objectExists(s, dialect, 'index', index)
}

/** Whether a table has a column. */
export async function columnExists(
  s: SqlSession,
  dialect: SqlDialectSpec,
  table: string,
  column: string,
): Promise<boolean> {
  const [sql, params] = dialect.columnExistsQuery(table, column)
  return (await s.all(sql, params)).length > 0
}
