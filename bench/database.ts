/**
 * The database handler's part of `npm run bench`: failures recorded and checks answered per
 * second, at 1 and at 32 in flight, on a SQLite file (WAL), PostgreSQL and MariaDB; and
 * "protected" failed logins per second, the exact path (`reserve`, then `settle` with a failure:
 * what `protect` does around a wrong password). The servers
 * are started as the tests start them (Debian's packages, or AXES_TEST_PG_URL /
 * AXES_TEST_MYSQL_URL); a dialect whose server is missing is reported as skipped.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bucketsFor } from '../src/ground/buckets.js'
import { databaseHandler } from '../src/handlers/database/index.js'
import type { DatabaseHandlerOptions } from '../src/handlers/database/options.js'
import type { CountInput, LockoutRule } from '../src/index.js'
import { betterSqlite3 } from '../test/support/runtimes.js'
import {
  createDatabase,
  startMariadb,
  startPostgres,
  type TestServer,
} from '../test/support/servers.js'
import { rate } from './rate.js'

/** One figure. */
export interface DatabaseRow {
  dialect: string
  operation: 'failures' | 'checks' | 'protected'
  inFlight: number
  ops: number
  opsPerSecond: number
}

const CLIENTS = 1000
const rule: LockoutRule = {
  failureLimit: 1_000_000_000,
  cooloffMs: 3_600_000,
  tiers: [],
  lockOutAtFailure: true,
  recordLockedAttempts: true,
  reservationTtlMs: 30_000,
}

function inputs(): CountInput[] {
  return Array.from({ length: CLIENTS }, (_, i) => {
    const client = {
      ipAddress: `10.1.${i >> 8}.${i & 255}`,
      username: `user${i}`,
      userAgent: 'bench/1.0',
    }
    return {
      buckets: bucketsFor(['ip_address', ['username', 'ip_address']], client),
      rule,
      attempt: {
        ...client,
        pathInfo: '/login',
        httpAccept: 'text/html',
        getData: '',
        postData: 'username=********************\npassword=********************',
        attemptTime: new Date(),
      },
      now: 0,
    }
  })
}

/** The three operations measured, on one handler. */
type Operations = Record<DatabaseRow['operation'], (i: number) => Promise<unknown>>

/** A handler on `url`, warmed up (every client has a row, statements are prepared). */
export async function benchHandler(
  url: string,
  options: Partial<DatabaseHandlerOptions> = {},
): Promise<{ operations: Operations; close(): Promise<void> }> {
  const handler = databaseHandler({ url, poolSize: 32, ...options })
  handler.attach?.({
    disableAccessLog: false,
    enableAccessFailureLog: false,
    accessFailureLogPerUserLimit: 1000,
    useAttemptExpiration: false,
  })
  await handler.migrate()
  const all = inputs()
  const at = (i: number): CountInput => {
    const input = all[i % CLIENTS] as CountInput
    return { buckets: input.buckets, rule: input.rule, attempt: input.attempt, now: Date.now() }
  }
  for (let i = 0; i < CLIENTS; i++) await handler.recordFailure(at(i))
  return {
    operations: {
      failures: (i) => handler.recordFailure(at(i)),
      checks: (i) => handler.getFailures(at(i)),
      // The exact path: reserve, then settle with a failure (what protect does around a wrong
      // password).
      protected: async (i) => {
        const input = at(i)
        const reserved = await handler.reserve(input)
        if (reserved.reservation === null) throw new Error(`not reserved: ${reserved.outcome}`)
        await handler.settle({ ...input, reservation: reserved.reservation, outcome: 'failure' })
      },
    },
    close: () => handler.close(),
  }
}

/** How many of each operation a figure counts. */
function opsFor(operation: DatabaseRow['operation'], failures: number, checks: number): number {
  if (operation === 'checks') return checks
  return operation === 'failures' ? failures : Math.ceil(failures / 4)
}

async function measureDialect(
  dialect: string,
  url: string,
  failures: number,
  checks: number,
): Promise<DatabaseRow[]> {
  const { operations, close } = await benchHandler(url)
  const rows: DatabaseRow[] = []
  for (const inFlight of [1, 32]) {
    for (const operation of ['failures', 'checks', 'protected'] as const) {
      const ops = opsFor(operation, failures, checks)
      const opsPerSecond = await rate(ops, inFlight, operations[operation])
      rows.push({ dialect, operation, inFlight, ops, opsPerSecond })
    }
  }
  await close()
  return rows
}

/**
 * The SQLite drivers side by side, each on a file of its own, measured in alternating slices
 * (a tenth of the operations, driver after driver, ten times): drift in the machine's speed
 * reaches both alike. A figure is its driver's operations over its own time.
 */
async function compareSqlite(
  drivers: [string, DatabaseHandlerOptions['sqliteDriver']][],
  dir: string,
  failures: number,
  checks: number,
): Promise<DatabaseRow[]> {
  const opened = await Promise.all(
    drivers.map(([name, sqliteDriver], n) =>
      benchHandler(`sqlite:${join(dir, `bench-sqlite-${n}.sqlite3`)}`, { sqliteDriver }).then(
        (bench) => ({ name, ...bench }),
      ),
    ),
  )
  const rows: DatabaseRow[] = []
  const SLICES = 10
  for (const inFlight of [1, 32]) {
    for (const operation of ['failures', 'checks', 'protected'] as const) {
      const slice = Math.ceil(opsFor(operation, failures, checks) / SLICES)
      const seconds = opened.map(() => 0)
      for (let s = 0; s < SLICES; s++) {
        for (const [n, bench] of opened.entries()) {
          seconds[n] =
            (seconds[n] as number) +
            slice / (await rate(slice, inFlight, bench.operations[operation]))
        }
      }
      for (const [n, bench] of opened.entries()) {
        const ops = slice * SLICES
        rows.push({
          dialect: `SQLite (${bench.name})`,
          operation,
          inFlight,
          ops,
          opsPerSecond: ops / (seconds[n] as number),
        })
      }
    }
  }
  await Promise.all(opened.map((bench) => bench.close()))
  return rows
}

/**
 * Runs the database benchmark (with `sqliteOnly`, the SQLite drivers alone); prints as it goes and
 * returns the figures.
 */
export async function databaseBench(quick: boolean, sqliteOnly = false): Promise<DatabaseRow[]> {
  const rows: DatabaseRow[] = []
  const dir = mkdtempSync(join(tmpdir(), 'node-axes-bench-'))
  const servers: TestServer[] = []
  const print = (r: DatabaseRow) =>
    console.log(
      `  ${r.dialect.padEnd(26)} ${r.operation.padEnd(10)} ${String(r.inFlight).padStart(2)} in flight ${Math.round(r.opsPerSecond).toLocaleString('en').padStart(9)} /s`,
    )
  console.log('\nDatabase handler (two buckets a client, 1,000 clients; handler calls)')
  try {
    // Both SQLite drivers side by side: node:sqlite (the default) and better-sqlite3 (the optional
    // driver, when npm run runtimes has built it for this Node).
    const better = betterSqlite3()
    const drivers: [string, DatabaseHandlerOptions['sqliteDriver']][] = [
      ['node:sqlite', 'node:sqlite'],
      ...(better ? [['better-sqlite3', better] as [string, typeof better]] : []),
    ]
    const sqlite = await compareSqlite(
      drivers,
      dir,
      quick ? 5_000 : 40_000,
      quick ? 20_000 : 200_000,
    )
    sqlite.forEach(print)
    rows.push(...sqlite)
    if (sqliteOnly) return rows
    const [pg, maria] = await Promise.all([startPostgres(), startMariadb()])
    for (const [name, server, kind] of [
      ['PostgreSQL', pg, 'postgres'],
      ['MariaDB', maria, 'mysql'],
    ] as const) {
      if (!server) {
        console.log(
          `  ${name.padEnd(26)} skipped: no server (apt-get install postgresql mariadb-server)`,
        )
        continue
      }
      servers.push(server)
      const url = await createDatabase(server, kind)
      const result = await measureDialect(name, url, quick ? 2_000 : 10_000, quick ? 5_000 : 40_000)
      result.forEach(print)
      rows.push(...result)
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
  return rows
}
