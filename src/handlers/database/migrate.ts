/**
 * Runs the migrations that have not run yet, under a lock so that several processes starting at
 * once migrate one at a time, and records each in `axes_migration`. A statement guarded by
 * "unless the table/index exists" is skipped where Django (or an earlier run) already made it: that
 * is how node-axes adopts a django-axes database.
 */

import { DIALECTS } from './dialects/index.js'
import type { SqlDriver } from './drivers/driver.js'
import {
  columnExists,
  indexExists,
  MIGRATIONS,
  migrationTableSql,
  tableExists,
} from './migrations.js'

/** What `migrate()` did. */
export interface MigrationResult {
  /** The migrations run now, in order. */
  applied: string[]
  /** The statements skipped because Django (or an earlier run) had already made their object. */
  adopted: number
}

const LOCK = 'node-axes:migrate'

/** Runs the pending migrations on a driver. */
export async function migrate(driver: SqlDriver): Promise<MigrationResult> {
  const dialect = DIALECTS[driver.dialect]
  const q = dialect.quote
  // Nothing to do is the common case at start-up: find it out without taking the write lock.
  try {
    const done = await driver.session.all(`SELECT ${q('name')} AS name FROM ${q('axes_migration')}`)
    const names = new Set(done.map((r) => String(r.name)))
    if (MIGRATIONS.every((m) => names.has(m.name))) return { applied: [], adopted: 0 }
  } catch {
    // No bookkeeping table yet: migrate below.
  }
  // MySQL commits DDL implicitly, so each statement stands alone there; the named lock still
  // serialises the runners.
  return driver.transaction([LOCK], async (s) => {
    await s.run(migrationTableSql(dialect))
    const done = new Set(
      (await s.all(`SELECT ${q('name')} AS name FROM ${q('axes_migration')}`)).map((r) =>
        String(r.name),
      ),
    )
    const result: MigrationResult = { applied: [], adopted: 0 }
    for (const migration of MIGRATIONS) {
      if (done.has(migration.name)) continue
      const tables = new Map<string, boolean>()
      for (const step of migration.steps(dialect.name)) {
        if (step.unlessTableExists) {
          let exists = tables.get(step.unlessTableExists)
          if (exists === undefined) {
            exists = await tableExists(s, dialect, step.unlessTableExists)
            tables.set(step.unlessTableExists, exists)
          }
          if (exists) {
            result.adopted++
            continue
          }
        }
        if (step.unlessIndexExists && (await indexExists(s, dialect, step.unlessIndexExists))) {
          result.adopted++
          continue
        }
        if (
          step.unlessColumnExists &&
          (await columnExists(s, dialect, step.unlessColumnExists[0], step.unlessColumnExists[1]))
        ) {
          result.adopted++
          continue
        }
        await s.run(step.sql)
      }
      await s.run(
        `INSERT INTO ${q('axes_migration')} (${q('name')}, ${q('applied_at')}) VALUES (?, ?)`,
        [migration.name, new Date().toISOString()],
      )
      result.applied.push(migration.name)
    }
    return result
  })
}
