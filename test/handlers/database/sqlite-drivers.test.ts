// The SQLite libraries under the database handler: node:sqlite (the default, built into Node) and
// better-sqlite3 (the optional driver, as scripts/install-runtimes.sh builds it for this Node).
// Both pass the handler conformance suite, write the same tables, and wait for a lock held by
// another connection asynchronously; a driver that cannot load is a store error naming the fix.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseHandler } from 'node-axes/database'
import { conformanceInput, describeHandlerConformance } from 'node-axes/testing'
import { afterAll, describe, expect, it } from 'vitest'
import { betterSqlite3 } from '../../support/runtimes.js'
import { Database, schemaOf } from '../../support/sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-sqlite-drivers-'))
let n = 0
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const better = betterSqlite3()

describe.skipIf(!better)('database handler on better-sqlite3 (sqliteDriver)', () => {
  describeHandlerConformance({
    name: 'database handler (SQLite file, better-sqlite3)',
    create: () =>
      databaseHandler({
        url: `sqlite:${join(dir, `better-${++n}.sqlite3`)}`,
        sqliteDriver: better as NonNullable<typeof better>,
      }),
  })

  it('writes the same tables as node:sqlite, and each reads what the other wrote', async () => {
    const files = { node: join(dir, 'same-node.sqlite3'), better: join(dir, 'same-better.sqlite3') }
    await databaseHandler({ url: `sqlite:${files.node}` }).migrate()
    await databaseHandler({
      url: `sqlite:${files.better}`,
      sqliteDriver: better as NonNullable<typeof better>,
    }).migrate()
    const schema = schemaOf(files.node)
    expect(Object.keys(schema)).toContain('axes_accessattempt')
    expect(schemaOf(files.better)).toEqual(schema)

    // One file, both drivers: failures recorded by each add up.
    const shared = join(dir, 'shared.sqlite3')
    const a = databaseHandler({ url: `sqlite:${shared}` })
    const b = databaseHandler({
      url: `sqlite:${shared}`,
      sqliteDriver: better as NonNullable<typeof better>,
    })
    await a.recordFailure(conformanceInput({}, { now: Date.now() }))
    const state = await b.recordFailure(conformanceInput({}, { now: Date.now() }))
    expect(state.failures).toBe(2)
    await a.close()
    await b.close()
  })

  it('waits for a write lock held by another connection asynchronously', async () => {
    const file = join(dir, 'held-better.sqlite3')
    const handler = databaseHandler({
      url: `sqlite:${file}`,
      sqliteDriver: better as NonNullable<typeof better>,
    })
    await handler.migrate()
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    const pending = handler.recordFailure(conformanceInput({}, { now: Date.now() }))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(ticks).toBeGreaterThan(0)
    other.exec('COMMIT')
    other.close()
    clearInterval(timer)
    expect((await pending).failures).toBe(1)
    await handler.close()
  })
})

describe('sqliteDriver: the choice and its errors', () => {
  it("is 'node:sqlite' by default and by name", async () => {
    const file = join(dir, 'by-name.sqlite3')
    const handler = databaseHandler({ url: `sqlite:${file}`, sqliteDriver: 'node:sqlite' })
    expect((await handler.recordFailure(conformanceInput({}, { now: Date.now() }))).failures).toBe(
      1,
    )
    await handler.close()
  })

  it('refuses a name it does not know when the handler is created', () => {
    expect(() =>
      databaseHandler({ url: 'sqlite::memory:', sqliteDriver: 'sqlite3' as 'node:sqlite' }),
    ).toThrow(expect.objectContaining({ code: 'AXES_INVALID_OPTIONS' }))
  })

  it('fails with a store error that names the missing library and the fix', async () => {
    // Outside Bun, bun:sqlite cannot load.
    const handler = databaseHandler({ url: 'sqlite::memory:', sqliteDriver: 'bun:sqlite' })
    const error = await handler.migrate().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'AXES_STORE_UNAVAILABLE' })
    expect(String((error as Error).message)).toMatch(/needs bun:sqlite.*built into Bun/)
  })
})
