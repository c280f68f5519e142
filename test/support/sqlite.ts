// The tests read and write SQLite files with Node's built-in node:sqlite (nothing to compile), with
// the few better-sqlite3 conveniences they use: `new Database(file, { readonly })`, `pragma()`.
// better-sqlite3 itself, the optional driver, is loaded for its own tests by betterSqlite3()
// (./runtimes.js).

import { DatabaseSync } from 'node:sqlite'

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
