import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely'
import { createPool } from 'mysql2'
import { databaseHandler } from 'node-axes/database'
import { describeHandlerConformance } from 'node-axes/testing'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase } from '../../support/servers.js'
import { kyselySqliteDatabase } from '../../support/sqlite.js'

// databaseHandler({ db }) on the application's own Kysely instance, in each dialect.

const dir = mkdtempSync(join(tmpdir(), 'node-axes-kysely-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sqliteKysely = () =>
  new Kysely<unknown>({
    dialect: new SqliteDialect({ database: kyselySqliteDatabase(join(dir, `k-${++n}.sqlite3`)) }),
  })

describeHandlerConformance({
  name: 'database handler on a Kysely instance (SQLite)',
  // The suite's 1,000 parallel failures of one client queue on one lock; through Kysely on this
  // loaded machine the last wait longer than the default 5 s deadline (deadlines.test.ts).
  create: () => databaseHandler({ db: sqliteKysely(), timeoutMs: 60_000 }),
})

describe('databaseHandler({ db })', () => {
  it('tells the dialect from the instance and migrates on demand', async () => {
    const handler = databaseHandler({ db: sqliteKysely() })
    expect(handler.dialect).toBe('sqlite')
    expect((await handler.migrate()).applied.length).toBeGreaterThan(0)
    expect((await handler.migrate()).applied).toEqual([])
    await handler.close()
  })

  const pgUrl = pgServerUrl()
  it.skipIf(pgUrl === null)('works on a PostgreSQL Kysely instance', async () => {
    const url = await createDatabase(pgUrl as string, 'postgres')
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }),
    })
    const handler = databaseHandler({ db })
    expect(handler.dialect).toBe('postgres')
    await handler.migrate()
    await checkCounting(handler)
  })

  const mysqlUrl = mysqlServerUrl()
  it.skipIf(mysqlUrl === null)('works on a MySQL Kysely instance', async () => {
    const url = await createDatabase(mysqlUrl as string, 'mysql')
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 4 }) }),
    })
    const handler = databaseHandler({ db })
    expect(handler.dialect).toBe('mysql')
    await handler.migrate()
    await checkCounting(handler)
  })
})

async function checkCounting(handler: ReturnType<typeof databaseHandler>) {
  const { conformanceInput } = await import('node-axes/testing')
  const input = (now: number) => conformanceInput({}, { now })
  const t0 = Date.now()
  await handler.recordFailure(input(t0))
  await handler.recordFailure(input(t0 + 1))
  const third = await handler.recordFailure(input(t0 + 2))
  expect(third).toEqual({ failures: 3, lockedUntil: t0 + 2 + 3_600_000 })
  expect(await handler.resetAttempts({})).toBe(1)
  await handler.close()
}
