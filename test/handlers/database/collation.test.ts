// "The same username" as the tables see it. On MySQL and MariaDB, Django's columns compare under the
// database's collation: with a `_ci` PAD SPACE collation (MariaDB's default utf8mb4_general_ci,
// the utf8mb4_unicode_ci Django recommends) `Alice`, `ALICE` and `alice ` are one row, so they
// must be one bucket for the reservations and locks in flight too. 1,000 parallel wrong passwords
// from one IP spread over 32 spellings of alice reach the check exactly failureLimit times there
// (before the fix: 160 times on utf8mb4_general_ci, each spelling with a limit of its own). Where
// the collation tells the spellings apart (SQLite, PostgreSQL, a NO PAD binary collation), each
// spelling is a username of its own and counts exactly as before: failureLimit times each.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely, MysqlDialect } from 'kysely'
import { createPool } from 'mysql2'
import { createAxes } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, runSql } from '../../support/servers.js'

const LIMIT = 5
const ATTEMPTS = 1000

/** 32 spellings of alice: 16 of its case variants, each with and without a trailing space. */
const SPELLINGS = Array.from({ length: 16 }, (_, mask) =>
  [...'alice'].map((c, i) => ((mask >> i) & 1 ? c.toUpperCase() : c)).join(''),
).flatMap((name) => [name, `${name} `])

const dir = mkdtempSync(join(tmpdir(), 'node-axes-collation-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A MariaDB database whose tables compare under `collation`. */
async function mariadbWith(collation: string): Promise<string> {
  const server = mysqlServerUrl()
  if (server === null) throw new Error('no MariaDB server (apt-get install mariadb-server)')
  const url = await createDatabase(server, 'mysql')
  const name = new URL(url).pathname.slice(1)
  await runSql(server, `ALTER DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE ${collation}`)
  return url
}

async function postgres(): Promise<string> {
  const server = pgServerUrl()
  if (server === null) throw new Error('no PostgreSQL server (apt-get install postgresql)')
  return createDatabase(server, 'postgres')
}

/** A handler on the application's own Kysely instance (mysql2 pool) over `url`. */
const onKysely = (url: string) =>
  databaseHandler({
    db: new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createPool({ uri: url, connectionLimit: 20 }) }),
    }),
  })

const CASES: {
  title: string
  url: () => Promise<string>
  reached: number
  handler?: (url: string) => ReturnType<typeof databaseHandler>
}[] = [
  {
    title: "MariaDB's default utf8mb4_general_ci",
    url: () => mariadbWith('utf8mb4_general_ci'),
    reached: LIMIT,
  },
  {
    title: 'utf8mb4_general_ci through your own Kysely instance',
    url: () => mariadbWith('utf8mb4_general_ci'),
    reached: LIMIT,
    handler: onKysely,
  },
  {
    title: 'utf8mb4_unicode_ci (as Django recommends)',
    url: () => mariadbWith('utf8mb4_unicode_ci'),
    reached: LIMIT,
  },
  {
    title: 'utf8mb4_nopad_bin (every spelling a username of its own)',
    url: () => mariadbWith('utf8mb4_nopad_bin'),
    reached: LIMIT * SPELLINGS.length,
  },
  { title: 'PostgreSQL', url: postgres, reached: LIMIT * SPELLINGS.length },
  {
    title: 'SQLite',
    url: async () => `sqlite:${join(dir, `${Math.random().toString(36).slice(2)}.sqlite3`)}`,
    reached: LIMIT * SPELLINGS.length,
  },
]

describe.each(CASES)(
  'database handler, $title: 32 spellings of one username',
  ({ url, reached, handler: make }) => {
    it(`lets ${ATTEMPTS} parallel wrong passwords reach the check exactly as the collation merges them`, async () => {
      const target = await url()
      const handler = make ? make(target) : databaseHandler({ url: target, poolSize: 20 })
      await handler.migrate()
      const axes = createAxes({
        handler,
        failureLimit: LIMIT,
        cooloffTime: '1h',
        lockoutParameters: ['username'],
        logger: false,
        silencedChecks: ['axes.W002'],
      })
      let verified = 0
      const results = await Promise.allSettled(
        Array.from({ length: ATTEMPTS }, (_, i) =>
          axes.protect(
            {
              method: 'POST',
              path: '/login',
              headers: { 'user-agent': 'collation' },
              socketAddress: '203.0.113.7',
              body: { username: SPELLINGS[i % SPELLINGS.length], password: 'guess' },
            },
            null,
            async () => {
              verified++
              await new Promise((resolve) => setTimeout(resolve, 20))
              return null
            },
          ),
        ),
      )
      const outcomes: Record<string, number> = {}
      for (const r of results) {
        const key =
          r.status === 'fulfilled' ? r.value.decision.reason : `error: ${String(r.reason)}`
        outcomes[key] = (outcomes[key] ?? 0) + 1
      }
      await axes.close()
      expect(
        Object.keys(outcomes).filter((k) => k.startsWith('error') || k === 'store_error'),
      ).toEqual([])
      expect(verified).toBe(reached)
    }, 120_000)
  },
)
