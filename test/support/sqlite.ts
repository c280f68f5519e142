// The tests read and write SQLite files with Node's built-in node:sqlite (nothing to compile), with
// the few better-sqlite3 conveniences they use: `new Database(file, { readonly })`, `pragma()`.
// better-sqlite3 itself, the optional driver, is loaded for its own tests by betterSqlite3().

import { createRequire } from 'node:module'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { RUNTIMES_DIR } from './runtimes.js'

/** A SQLite connection on node:sqlite, with better-sqlite3's `pragma()`. */
export class Database extends DatabaseSync {
  constructor(file: string, options: { readonly?: boolean } = {}) {
    super(file, { readOnly: options.readonly ?? false })
  }

  /** Runs `PRAGMA <sql>`: its rows, or with `simple` the first column of the first row. */
  pragma(sql: string, options: { simple?: boolean } = {}): unknown {
    const rows = this.prepare(`PRAGMA ${sql}`).all() as Record<string, unknown>[]
    if (!options.simple) return rows
    const first = rows[0]
    return first === undefined ? undefined : Object.values(first)[0]
  }
}

/** Every table's and index's SQL in a SQLite file, by name (to compare what two drivers wrote). */
export function schemaOf(file: string): Record<string, string> {
  const db = new Database(file, { readonly: true })
  try {
    const rows = db
      .prepare('SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name')
      .all() as { name: string; sql: string }[]
    return Object.fromEntries(rows.map((r) => [r.name, r.sql]))
  } finally {
    db.close()
  }
}

/** better-sqlite3's Database class (the default export). */
export type BetterSqlite3 = new (
  file: string,
) => {
  prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown }
  exec(sql: string): unknown
  close(): unknown
}

/**
 * better-sqlite3 as scripts/install-runtimes.sh builds it for this Node (a native addon, so one
 * build per Node ABI, in .runtimes/better-sqlite3-<ABI>/), or null with a warning when it is not
 * there; under CI=true a missing build is an error (.ci/run installs it for each Node it tests).
 */
export function betterSqlite3(): BetterSqlite3 | null {
  const base = join(RUNTIMES_DIR, `better-sqlite3-${process.versions.modules}`)
  try {
    return createRequire(join(base, 'package.json'))('better-sqlite3') as BetterSqlite3
  } catch (error) {
    const fix = `Build it with \`npm run runtimes\` (into ${base}).`
    if (process.env.CI === 'true') {
      throw new Error(`better-sqlite3 is not built for this Node (${String(error)}). ${fix}`)
    }
    console.warn(
      `[node-axes tests] better-sqlite3 is not built for this Node: its tests are skipped. ${fix}`,
    )
    return null
  }
}

/**
 * A node:sqlite connection shaped as Kysely's SqliteDialect expects (better-sqlite3's): statements
 * that tell whether they return rows (`reader`).
 */
export function kyselySqliteDatabase(file: string) {
  const db = new DatabaseSync(file)
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const statement = db.prepare(sql)
      return {
        reader: statement.columns().length > 0,
        all: (parameters: readonly unknown[]) => statement.all(...(parameters as never[])),
        run: (parameters: readonly unknown[]) => statement.run(...(parameters as never[])),
        iterate: (parameters: readonly unknown[]) => statement.iterate(...(parameters as never[])),
      }
    },
  }
}
