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
import {
  createDatabase,
  startMariadb,
  startPostgres,
  type TestServer,
} from '../test/support/servers.js'
import { betterSqlite3 } from '../test/support/sqlite.js'
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

async function measureDialect(
  dialect: string,
  url: string,
  failures: number,
  checks: number,
  options: Partial<DatabaseHandlerOptions> = {},
): Promise<DatabaseRow[]> {
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
  // Warm up: every client has a row, statements are prepared.
  for (let i = 0; i < CLIENTS; i++) await handler.recordFailure(at(i))
  const rows: DatabaseRow[] = []
  for (const inFlight of [1, 32]) {
    rows.push({
      dialect,
      operation: 'failures',
      inFlight,
      ops: failures,
      opsPerSecond: await rate(failures, inFlight, (i) => handler.recordFailure(at(i))),
    })
    rows.push({
      dialect,
      operation: 'checks',
      inFlight,
      ops: checks,
      opsPerSecond: await rate(checks, inFlight, (i) => handler.getFailures(at(i))),
    })
    rows.push({
      dialect,
      operation: 'protected',
      inFlight,
      ops: Math.ceil(failures / 4),
      opsPerSecond: await rate(Math.ceil(failures / 4), inFlight, async (i) => {
        const input = at(i)
        const reserved = await handler.reserve(input)
        if (reserved.reservation === null) throw new Error(`not reserved: ${reserved.outcome}`)
        await handler.settle({ ...input, reservation: reserved.reservation, outcome: 'failure' })
      }),
    })
  }
  await handler.close()
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
    // Both SQLite drivers side by side, each on a file of its own: node:sqlite (the default) and
    // better-sqlite3 (the optional driver, when scripts/install-runtimes.sh has built it).
    const better = betterSqlite3()
    const drivers: [string, DatabaseHandlerOptions['sqliteDriver']][] = [
      ['node:sqlite', 'node:sqlite'],
      ...(better ? [['better-sqlite3', better] as [string, typeof better]] : []),
    ]
    // In rounds A B B A, each on a fresh file, the best of each figure kept: drift in the machine's
    // speed then favours neither.
    const best = new Map<string, DatabaseRow>()
    const order = [...drivers, ...drivers.slice().reverse()]
    for (const [round, [name, sqliteDriver]] of order.entries()) {
      const sqlite = await measureDialect(
        `SQLite (${name})`,
        `sqlite:${join(dir, `bench-${round}.sqlite3`)}`,
        quick ? 5_000 : 40_000,
        quick ? 20_000 : 200_000,
        { sqliteDriver },
      )
      for (const row of sqlite) {
        const key = `${row.dialect} ${row.operation} ${row.inFlight}`
        if ((best.get(key)?.opsPerSecond ?? 0) < row.opsPerSecond) best.set(key, row)
      }
    }
    for (const row of best.values()) print(row)
    rows.push(...best.values())
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
