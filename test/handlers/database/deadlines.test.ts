// A stalled store never hangs a login: every operation of the database handler is bounded by
// `timeoutMs`, after which `onStoreError` decides (503 with failClosed, the default). Stalled three
// ways on each dialect it applies to: the server frozen with SIGSTOP (a server this file starts
// itself, never the shared ones), a table locked by a second connection, and a port that accepts
// connections and never answers. Once the stall ends, the next logins count exactly (the pool
// recovers, nothing is left broken or half-written). Before: PostgreSQL logins waited as long as
// the lock or the freeze lasted (11.6 s for a 12 s lock), and for ever against a silent port;
// SQLite's requests queued behind the first waited up to twice `busyTimeoutMs`.

import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net, { type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import { type Axes, type AxesRequest, createAxes, type LockoutDecision } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import {
  createDatabase,
  runSql,
  type ServerKind,
  startMariadb,
  startPostgres,
  type TestServer,
} from '../../support/servers.js'
import { Database } from '../../support/sqlite.js'

const TIMEOUT_MS = 400
/** What an answer may take beyond the deadline on a loaded two-core machine. */
const SLACK_MS = 900
const LIMIT = 3

const started: TestServer[] = []
const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  await Promise.all(started.map((server) => server.stop()))
})

const request = (username: string, ip = '198.51.100.7'): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'deadline' },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

function axesOn(url: string): Axes {
  return createAxes({
    handler: databaseHandler({ url, timeoutMs: TIMEOUT_MS, poolSize: 4 }),
    failureLimit: LIMIT,
    cooloffTime: '1h',
    lockoutParameters: [['username', 'ip_address']],
    logger: false,
    silencedChecks: ['axes.W002'],
  })
}

/**
 * `n` parallel logins of different clients through `protect` and `loginFailed`, each timed: all
 * must be answered by a store error within the deadline (plus slack), none reaching the check.
 */
async function stalledLogins(axes: Axes, n: number, tag: string) {
  let verified = 0
  const timed = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const start = Date.now()
      const decision: LockoutDecision =
        i % 2 === 0
          ? (
              await axes.protect(request(`${tag}${i}`), null, async () => {
                verified++
                return null
              })
            ).decision
          : await axes.loginFailed(request(`${tag}${i}`))
      return { ms: Date.now() - start, decision }
    }),
  )
  const slowest = Math.max(...timed.map((t) => t.ms))
  expect(slowest).toBeLessThan(TIMEOUT_MS + SLACK_MS)
  expect(new Set(timed.map((t) => t.decision.reason))).toEqual(new Set(['storeError']))
  expect(timed.every((t) => !t.decision.allowed)).toBe(true)
  expect(verified).toBe(0)
  return slowest
}

/** After the stall: logins count exactly again, within the deadline, on every connection. */
async function recovers(axes: Axes, tag: string) {
  const deadline = Date.now() + 10_000
  // The first calls may still meet connections the stall broke: those fail fast and are replaced.
  for (;;) {
    const d = await axes.isAllowed(request(`${tag}-probe`))
    if (d.reason !== 'storeError') break
    if (Date.now() > deadline) throw new Error('the store did not come back within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  // Several clients at once (every pooled connection in use), each failing up to the limit.
  const clients = Array.from({ length: 8 }, (_, i) => `${tag}-after${i}`)
  for (let round = 1; round <= LIMIT; round++) {
    const decisions = await Promise.all(clients.map((u) => axes.loginFailed(request(u))))
    for (const d of decisions) {
      expect(d.reason === 'storeError').toBe(false)
      expect(d.failures).toBe(round)
    }
  }
  const locked = await axes.protect(request(clients[0] as string), null, async () => 'user')
  expect(locked.ok).toBe(false)
  expect(locked.decision.reason).toBe('lockedOut')
}

/** The pids of a server and its children (PostgreSQL's backends), as Linux lists them. */
function processTree(pid: number): number[] {
  let children: number[] = []
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {}
  return [pid, ...children.flatMap(processTree)]
}

async function serverPid(url: string, kind: ServerKind): Promise<number> {
  const sql =
    kind === 'postgres'
      ? "SELECT setting FROM pg_settings WHERE name = 'data_directory'"
      : 'SELECT @@pid_file'
  const answer = (await runSql(url, sql)).trim()
  const file = kind === 'postgres' ? join(answer, 'postmaster.pid') : answer
  return Number(readFileSync(file, 'utf8').split('\n')[0])
}

function signalAll(pids: number[], signal: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {}
  }
}

/** Holds a lock on axes_accessattempt from a second connection until `release()`. */
async function holdTableLock(url: string, kind: ServerKind): Promise<() => Promise<void>> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query('BEGIN')
    await client.query('LOCK TABLE axes_accessattempt IN ACCESS EXCLUSIVE MODE')
    return async () => {
      await client.query('ROLLBACK')
      await client.end()
    }
  }
  const connection = await mysql.createConnection(url)
  await connection.query('LOCK TABLES axes_accessattempt WRITE')
  return async () => {
    await connection.query('UNLOCK TABLES')
    await connection.end()
  }
}

async function migrated(url: string) {
  const handler = databaseHandler({ url })
  await handler.migrate()
  await handler.close()
}

const SERVERS: {
  name: string
  kind: ServerKind
  shared: () => string | null
  start: () => Promise<TestServer | null>
}[] = [
  { name: 'PostgreSQL', kind: 'postgres', shared: pgServerUrl, start: () => startPostgres() },
  { name: 'MariaDB', kind: 'mysql', shared: mysqlServerUrl, start: () => startMariadb() },
]

describe.each(SERVERS)('database handler on $name: a stalled server', ({ kind, shared, start }) => {
  const fromEnv =
    kind === 'postgres' ? process.env.AXES_TEST_PG_URL : process.env.AXES_TEST_MYSQL_URL

  it.skipIf(Boolean(fromEnv))(
    'frozen with SIGSTOP: every login answers with a store error by the deadline, and counting resumes when it thaws',
    async () => {
      const server = await start()
      if (server === null) throw new Error(`no ${kind} server (see test/support/servers.ts)`)
      started.push(server)
      const url = await createDatabase(server, kind)
      await migrated(url)
      const axes = axesOn(url)
      cleanups.push(() => axes.close())
      // Warm: pooled and pipelined connections open before the freeze.
      await Promise.all(Array.from({ length: 8 }, (_, i) => axes.loginFailed(request(`warm${i}`))))
      const pids = processTree(await serverPid(server.url, kind))
      signalAll(pids, 'SIGSTOP')
      // Thawed after 15 s whatever happens, so that a login that hangs fails the test, not the file.
      const thaw = setTimeout(() => signalAll(pids, 'SIGCONT'), 15_000)
      try {
        await stalledLogins(axes, 20, 'frozen')
        // Again while still frozen: the connections the first round gave up on are not waited for.
        await stalledLogins(axes, 20, 'frozen-again')
      } finally {
        clearTimeout(thaw)
        signalAll(pids, 'SIGCONT')
      }
      await recovers(axes, 'thawed')
    },
    60_000,
  )

  it('a table locked by another connection: logins answer by the deadline, and count once it is released', async () => {
    const server = shared()
    if (server === null) throw new Error(`no ${kind} server (see test/support/servers.ts)`)
    const url = await createDatabase(server, kind)
    await migrated(url)
    const axes = axesOn(url)
    cleanups.push(() => axes.close())
    await axes.loginFailed(request('warm'))
    const held = await holdTableLock(url, kind)
    let released: Promise<void> | undefined
    const release = () => {
      released ??= held()
      return released
    }
    // Released after 15 s whatever happens, so that a login that hangs fails the test, not the file.
    const backstop = setTimeout(() => void release(), 15_000)
    try {
      await stalledLogins(axes, 20, 'locked')
    } finally {
      clearTimeout(backstop)
      await release()
    }
    await recovers(axes, 'unlocked')
  }, 60_000)

  it('a port that accepts connections and never answers: logins answer by the deadline', async () => {
    const sockets: Socket[] = []
    const silent = net.createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    })
    const { port } = silent.address() as AddressInfo
    const url =
      kind === 'postgres'
        ? `postgres://axes:axes@127.0.0.1:${port}/axes`
        : `mysql://root:axes@127.0.0.1:${port}/axes`
    const axes = axesOn(url)
    cleanups.push(() => axes.close())
    await stalledLogins(axes, 10, 'silent')
    await stalledLogins(axes, 10, 'silent-again')
  }, 60_000)
})

describe('database handler on SQLite: the write lock held by another connection', () => {
  it('answers every queued login by the deadline (not twice it), and counts once the lock is free', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'node-axes-deadline-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'held.sqlite3')
    const axes = axesOn(`sqlite:${file}`)
    cleanups.push(() => axes.close())
    await axes.loginFailed(request('warm'))
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE')
    const backstop = setTimeout(() => {
      if (other.isTransaction) other.exec('ROLLBACK')
    }, 15_000)
    try {
      // Sent in three waves, so that later requests queue behind batches already waiting.
      const waves = [0, 100, 200].map(async (delay, wave) => {
        await new Promise((resolve) => setTimeout(resolve, delay))
        return stalledLogins(axes, 10, `sqlite${wave}-`)
      })
      await Promise.all(waves)
    } finally {
      clearTimeout(backstop)
      if (other.isTransaction) other.exec('ROLLBACK')
      other.close()
    }
    await recovers(axes, 'sqlite-free')
  }, 60_000)
})
