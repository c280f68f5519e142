// One database, two services: django-axes (Debian 12's python3-django-axes 5.39 on Django 3.2, run
// through test/django/project/axes_side.py) and node-axes' database handler, on SQLite, PostgreSQL
// and MariaDB: every dialect node-axes supports. Each side records failures the other counts, and
// the rows node-axes writes read back in Django with the values Django would have written.
//
// Django's configuration (project/settings.py) is django-axes 5.39's default lockout, by IP
// address alone (5.39 has no AXES_LOCKOUT_PARAMETERS; none of its lockout flags is set), a limit of
// 3 and a cool-off of 1 hour: node-axes runs with lockoutParameters ['ip_address'], failureLimit 3
// and cooloffTime '1h', so both count the same buckets.

import { execFile, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import mysql from 'mysql2/promise'
import { type Axes, type AxesRequest, createAxes } from 'node-axes'
import { type DatabaseHandler, databaseHandler, MIGRATIONS } from 'node-axes/database'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../support/inject-servers.js'
import { recordingLogger } from '../support/recording-logger.js'
import { createDatabase } from '../support/servers.js'
import { Database } from '../support/sqlite.js'

const SCRIPT = fileURLToPath(new URL('./project/axes_side.py', import.meta.url))
const INSTALL = 'apt-get install python3-django-axes python3-psycopg2 python3-mysqldb'
const CI = process.env.CI === 'true'
const runFile = promisify(execFile)

/** django-axes 5.39's migrations, all of which Django must record as applied. */
const DJANGO_AXES_MIGRATIONS = [
  '0001_initial',
  '0002_auto_20151217_2044',
  '0003_auto_20160322_0929',
  '0004_auto_20181024_1538',
  '0005_remove_accessattempt_trusted',
  '0006_remove_accesslog_trusted',
  '0007_alter_accessattempt_unique_together',
  '0008_accessfailurelog',
]
const UA = 'node-axes-interop/1.0'
const MASK = '********************'

/**
 * The first Python that imports Debian's packages: AXES_TEST_PYTHON, then `python3` on PATH, then
 * Debian's own /usr/bin/python3 (a pyenv or venv python3 on PATH does not see dist-packages).
 */
function findPython(modules: string): string | null {
  const candidates = [process.env.AXES_TEST_PYTHON, 'python3', '/usr/bin/python3']
  for (const python of new Set(candidates.filter((c): c is string => Boolean(c)))) {
    const probe = spawnSync(python, ['-c', `import ${modules}`], {
      stdio: 'ignore',
      timeout: 20_000,
    })
    if (probe.status === 0) return python
  }
  return null
}

/** Where one test's two services meet: node-axes' URL, and the same database for Django. */
interface Target {
  kind: 'sqlite' | 'postgres' | 'mysql'
  /** `sqlite:/tmp/…/db.sqlite3`, `postgres://…` or `mysql://…` for databaseHandler. */
  url: string
  /** The SQLite file path, or the server's URL, for settings.py (AXES_DJANGO_DATABASE). */
  djangoDatabase: string
}

interface Row {
  id: number
  username: string | null
  ip_address: string | null
  user_agent: string
  http_accept: string
  path_info: string
  attempt_time: string
  attempt_time_utcoffset: number
  attempt_time_raw: string
  get_data: string
  post_data: string
  failures_since_start: number
}

interface FailResult {
  user: string | null
  locked_out: boolean
  failures: number | null
}

function nodeRequest(
  ip: string | null,
  options: {
    username?: string | null
    userAgent?: string | null
    query?: Record<string, string>
  } = {},
): AxesRequest {
  const username = options.username === undefined ? 'someone' : options.username
  const userAgent = options.userAgent === undefined ? UA : options.userAgent
  const headers: Record<string, string> = { accept: 'text/html' }
  if (userAgent !== null) headers['user-agent'] = userAgent
  return {
    method: 'POST',
    path: '/login/',
    headers,
    socketAddress: ip,
    query: options.query ?? {},
    body: username === null ? { password: 'wrong' } : { username, password: 'wrong' },
  }
}

/** What differs between the databases: how errors are worded, how a datetime reads as text. */
interface Expected {
  /** Django's plain migrate, on node-axes' axes_accessattempt (each database words it its way). */
  tableExistsError: RegExp
  /** Django's migrate --fake-initial, on node-axes' tables. */
  fakeInitialError: RegExp
  /** attempt_time as the database's own text (axes_side.py dump). */
  attemptTimeRaw: RegExp
  /**
   * django-axes 5.39's three tables as the database describes them (columns, indexes, checks),
   * for comparing node-axes' with Django's; without it, no comparison runs for that database.
   */
  schemaOf?: (target: Target) => Promise<unknown>
}

function describeInterop(
  name: string,
  python: string,
  fresh: () => Promise<Target>,
  expected: Expected,
): void {
  const env = (target: Target) => ({
    ...process.env,
    AXES_DJANGO_DATABASE: target.djangoDatabase,
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONIOENCODING: 'utf-8',
  })
  /** Runs one axes_side.py command against the target; its JSON answer. */
  const django = async <T = unknown>(target: Target, ...args: string[]): Promise<T> => {
    const { stdout } = await runFile(python, [SCRIPT, ...args], {
      env: env(target),
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    return JSON.parse(stdout) as T
  }

  /**
   * `fail … --hold`: django-axes' failure written but not committed. Resolves once it is written,
   * with `commit()`, which lets Django commit (if `holdSeconds` have not run out already) and
   * resolves to its answer.
   */
  const djangoHolding = async (target: Target, holdSeconds: number, ...args: string[]) => {
    const child = spawn(
      python,
      [SCRIPT, 'fail', ...args, '--hold', '--hold-timeout', String(holdSeconds)],
      { env: env(target) },
    )
    // Django may have committed and gone by the time commit() writes.
    child.stdin.on('error', () => {})
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve))
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk
        if (stdout.includes('"held": true')) resolve()
      })
      void closed.then(() => reject(new Error(`axes_side.py fail --hold exited early: ${stderr}`)))
    })
    return {
      async commit(): Promise<FailResult[]> {
        child.stdin.end('commit\n')
        const code = await closed
        if (code !== 0) throw new Error(`axes_side.py fail --hold failed: ${stderr}`)
        return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as FailResult[]
      },
    }
  }

  /** Until a session of the server target (PostgreSQL or MariaDB) waits on a lock. */
  const someoneWaits = async (target: Target) => {
    if (target.kind === 'mysql') return someoneWaitsMysql(target)
    const client = new pg.Client({ connectionString: target.djangoDatabase })
    await client.connect()
    try {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        if (rows[0]?.n > 0) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      throw new Error('no session waited on a lock within 10 s')
    } finally {
      await client.end()
    }
  }

  /**
   * MariaDB: until another connection to this database runs an UPDATE or INSERT on
   * axes_accessattempt, which Django's uncommitted row holds (Django's held connection sits idle
   * in its transaction; a plain SELECT would not wait). Not information_schema.innodb_trx's
   * LOCK WAIT: in some runs it listed no transaction of node-axes' for 10 s while the processlist
   * showed its UPDATE waiting.
   */
  const someoneWaitsMysql = async (target: Target) => {
    const connection = await mysql.createConnection(target.djangoDatabase)
    try {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        const [rows] = await connection.query(
          "SELECT count(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID() AND command = 'Query' AND (info LIKE 'UPDATE%' OR info LIKE 'INSERT%') AND info LIKE '%axes_accessattempt%'",
        )
        if (Number((rows as { n: number | string }[])[0]?.n) > 0) return
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      throw new Error('no session waited on a lock within 10 s')
    } finally {
      await connection.end()
    }
  }

  const handlers: DatabaseHandler[] = []
  const handler = (target: Target) => {
    const h = databaseHandler({ url: target.url })
    handlers.push(h)
    return h
  }
  const nodeAxes = (target: Target) =>
    createAxes({
      handler: handler(target),
      failureLimit: 3,
      cooloffTime: '1h',
      lockoutParameters: ['ip_address'],
      // Requests built here, checked with isAllowed first: no middleware to see them.
      silencedChecks: ['axes.W002'],
      logger: recordingLogger().logger,
    })
  /** django-axes' flow, as a login view with node-axes runs it: check, then report. */
  const nodeFails = async (axes: Axes, request: AxesRequest) => {
    await axes.isAllowed(request)
    return axes.loginFailed(request)
  }

  afterAll(async () => {
    await Promise.all(handlers.map((h) => h.close()))
  })

  describe(`django-axes 5.39 and node-axes on one ${name} database: migrations`, () => {
    it('Django migrates first, then node-axes adopts its tables', async () => {
      const target = await fresh()
      const applied = await django<Record<string, string[]>>(target, 'migrate')
      expect(applied.axes).toEqual(DJANGO_AXES_MIGRATIONS)

      const result = await handler(target).migrate()
      expect(result.applied).toContain(MIGRATIONS[0]?.name)
      expect(result.adopted).toBeGreaterThan(0)
      expect(await handler(target).migrate()).toEqual({ applied: [], adopted: 0 })
      // Django still finds nothing to do with node-axes' additions in place.
      expect((await django<Record<string, string[]>>(target, 'migrate')).axes).toEqual(
        DJANGO_AXES_MIGRATIONS,
      )
    })

    it('node-axes migrates first, then Django takes the tables with migrate axes --fake', async () => {
      const target = await fresh()
      const result = await handler(target).migrate()
      // 0002 finds the column 0001 just made (it only matters for older django-axes databases).
      expect(result.applied).toEqual(MIGRATIONS.map((m) => m.name))
      // SQLite adds the column in one statement, the servers in two (add, then drop the default).
      expect(result.adopted).toBe(target.kind === 'sqlite' ? 1 : 2)

      // node-axes made django-axes' final tables, so all of django-axes' migrations are faked,
      // then the other apps (auth, contenttypes, sessions) migrate as usual.
      expect(
        (await django<Record<string, string[]>>(target, 'migrate', 'axes', '--fake')).axes,
      ).toEqual(DJANGO_AXES_MIGRATIONS)
      const applied = await django<Record<string, string[]>>(target, 'migrate')
      expect(applied.axes).toEqual(DJANGO_AXES_MIGRATIONS)
      expect(applied.auth?.length).toBeGreaterThan(0)

      // And both sides work on them.
      await django(target, 'fail', 'gina', '10.9.0.1')
      const axes = nodeAxes(target)
      expect((await axes.isAllowed(nodeRequest('10.9.0.1'))).failures).toBe(1)
      await nodeFails(axes, nodeRequest('10.9.0.1'))
      expect(await django(target, 'failures', 'gina', '10.9.0.1')).toBe(2)
    })

    const schemaOf = expected.schemaOf
    if (schemaOf) {
      it("node-axes makes django-axes' tables as Django's own migrations make them", async () => {
        const theirs = await fresh()
        await django(theirs, 'migrate')
        const mine = await fresh()
        await handler(mine).migrate()
        const expected = await schemaOf(theirs)
        expect(JSON.stringify(expected)).toContain('failures_since_start')
        expect(await schemaOf(mine)).toEqual(expected)
      })
    }

    it("Django's plain migrate and --fake-initial both fail on node-axes' tables", async () => {
      const target = await fresh()
      await handler(target).migrate()
      // Plain migrate: axes.0001_initial creates axes_accessattempt, which is there.
      await expect(django(target, 'migrate')).rejects.toThrow(expected.tableExistsError)
      // --fake-initial fakes 0001 only; a later migration then trips over what node-axes made
      // (SQLite: 0008 creates axes_accessfailurelog; PostgreSQL and MariaDB: 0002 creates an
      // index).
      await expect(django(target, 'migrate', '--fake-initial')).rejects.toThrow(
        expected.fakeInitialError,
      )
      if (target.kind === 'sqlite') {
        // On its way there, Django's SQLite table rebuilds (0002 to 0006, run for real) remade
        // node-axes' tables from django-axes 5.39's models: axes_accesslog lost session_hash.
        const db = new Database(target.djangoDatabase, { readonly: true })
        try {
          const accessLog = db
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
            .get('axes_accesslog') as { sql: string }
          expect(accessLog.sql).not.toContain('session_hash')
        } finally {
          db.close()
        }
      }
    })
  })

  describe(`django-axes 5.39 and node-axes on one ${name} database: attempts`, () => {
    let target: Target
    let axes: Axes

    beforeAll(async () => {
      target = await fresh()
      await django(target, 'migrate')
      await handler(target).migrate()
      axes = nodeAxes(target)
    })

    it('node-axes counts the failures Django records, and locks out after 3', async () => {
      const ip = '10.0.1.1'
      await django(target, 'fail', 'alice', ip, '--times', '2')
      // IP-only buckets: another username from the same IP counts the same failures.
      const before = await axes.isAllowed(nodeRequest(ip, { username: 'bob' }))
      expect(before).toMatchObject({ allowed: true, failures: 2, remaining: 1 })

      const [third] = await django<FailResult[]>(target, 'fail', 'alice', ip)
      expect(third).toMatchObject({ locked_out: true, failures: 3 })
      const after = await axes.isAllowed(nodeRequest(ip, { username: 'bob' }))
      expect(after).toMatchObject({ allowed: false, reason: 'lockedOut', failures: 3 })
      expect(after.lockedUntil).not.toBeNull()

      expect(await axes.isAllowed(nodeRequest('10.0.1.2'))).toMatchObject({
        allowed: true,
        failures: 0,
      })
    })

    it('Django counts the failures node-axes records, and locks the client out', async () => {
      const ip = '10.0.2.1'
      await nodeFails(axes, nodeRequest(ip, { username: 'carol' }))
      await nodeFails(axes, nodeRequest(ip, { username: 'carol' }))
      expect(await django(target, 'failures', 'carol', ip)).toBe(2)
      expect(await django(target, 'locked', 'carol', ip)).toBe(false)

      const third = await nodeFails(axes, nodeRequest(ip, { username: 'carol' }))
      expect(third).toMatchObject({ allowed: false, reason: 'lockedOut', failures: 3 })
      expect(await django(target, 'failures', 'carol', ip)).toBe(3)
      expect(await django(target, 'locked', 'someone-else', ip)).toBe(true)
      expect(await django(target, 'locked', 'carol', '10.0.2.2')).toBe(false)

      // Django's AxesBackend now refuses the login outright (and, as node-axes by default,
      // records the refused attempt, restarting the cool-off).
      const [refused] = await django<FailResult[]>(target, 'fail', 'carol', ip)
      expect(refused).toMatchObject({ user: null, locked_out: true, failures: 4 })
      expect((await axes.isAllowed(nodeRequest(ip))).failures).toBe(4)
    })

    it('keeps one row per (username, IP, user agent), whichever side writes it', async () => {
      // Same username, IP and user agent: node-axes adds to the row Django created.
      await django(target, 'fail', 'dave', '10.0.3.1')
      await nodeFails(axes, nodeRequest('10.0.3.1', { username: 'dave' }))
      // No User-Agent header: both store "<unknown>"; an empty username is '' on both sides.
      await django(target, 'fail', '', '10.0.3.2', '--no-user-agent')
      await nodeFails(axes, nodeRequest('10.0.3.2', { username: '', userAgent: null }))
      // No username at all: NULL on both sides, found again with IS NULL.
      await django(target, 'fail', '-', '10.0.3.3', '--null-username', '--no-user-agent')
      await nodeFails(axes, nodeRequest('10.0.3.3', { username: null, userAgent: null }))

      const rows = await django<Row[]>(target, 'dump')
      const at = (ip: string) => rows.filter((row) => row.ip_address === ip)

      expect(at('10.0.3.1')).toHaveLength(1)
      const joined = `username=${MASK}\npassword=${MASK}`
      expect(at('10.0.3.1')[0]).toMatchObject({
        username: 'dave',
        user_agent: UA,
        failures_since_start: 2,
        get_data: '\n---------\n',
        post_data: `${joined}\n---------\n${joined}`,
      })
      expect(at('10.0.3.2')).toHaveLength(1)
      expect(at('10.0.3.2')[0]).toMatchObject({
        username: '',
        user_agent: '<unknown>',
        failures_since_start: 2,
      })
      expect(at('10.0.3.3')).toHaveLength(1)
      expect(at('10.0.3.3')[0]).toMatchObject({
        username: null,
        user_agent: '<unknown>',
        failures_since_start: 2,
        post_data: `password=${MASK}\n---------\npassword=${MASK}`,
      })
    })

    it('writes rows that Django reads back with the values it writes itself', async () => {
      const query = { next: '/account/', password: 'in-the-url' }
      const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) node-axes interop'
      const before = Date.now()
      await nodeFails(axes, nodeRequest('10.0.4.1', { username: 'erin', userAgent, query }))
      const after = Date.now()
      // The same login, failed in Django, for comparison.
      await django(
        target,
        'fail',
        'erin',
        '10.0.4.2',
        '--user-agent',
        userAgent,
        ...queryArgs(query),
      )

      const rows = await django<Row[]>(target, 'dump')
      const mine = rows.find((row) => row.ip_address === '10.0.4.1')
      const theirs = rows.find((row) => row.ip_address === '10.0.4.2')
      expect(mine).toMatchObject({
        username: 'erin',
        user_agent: userAgent,
        http_accept: 'text/html',
        path_info: '/login/',
        failures_since_start: 1,
        get_data: `next=/account/\npassword=${MASK}`,
        post_data: `username=${MASK}\npassword=${MASK}`,
        attempt_time_utcoffset: 0,
      })
      if (!mine || !theirs) throw new Error('rows missing')
      for (const field of ['username', 'user_agent', 'http_accept', 'path_info'] as const) {
        expect(mine[field]).toBe(theirs[field])
      }
      expect(mine.get_data).toBe(theirs.get_data)
      expect(mine.post_data).toBe(theirs.post_data)
      // attempt_time: UTC, as Django reads it back (TIME_ZONE is Europe/Helsinki on purpose).
      const time = Date.parse(mine.attempt_time)
      expect(mine.attempt_time).toMatch(/\+00:00$/)
      expect(time).toBeGreaterThanOrEqual(before - 1000)
      expect(time).toBeLessThanOrEqual(after + 1000)
      expect(mine.attempt_time_raw).toMatch(expected.attemptTimeRaw)
      expect(theirs.attempt_time_raw).toMatch(expected.attemptTimeRaw)
    })

    it('stores IPv6 addresses as Django normalises them, and both count them', async () => {
      // Written by node-axes in a form of its own, then looked at by Django.
      const forms = [
        '2001:DB8:0:0:0:0:0:42',
        '2001:0db8:0000:0001:0000:0000:0000:0001',
        '2001:db8:0:0:1:0:0:1',
        '2001:db8:1:1:1:1:0:1',
        'FE80::0:0:1',
      ]
      for (const ip of forms) await nodeFails(axes, nodeRequest(ip, { username: 'frank' }))
      const normalised = await django<string[]>(target, 'clean-ip', ...forms)
      expect(normalised).toEqual([
        '2001:db8::42',
        '2001:db8:0:1::1',
        '2001:db8::1:0:0:1',
        '2001:db8:1:1:1:1:0:1',
        'fe80::1',
      ])
      const rows = await django<Row[]>(target, 'dump')
      for (const ip of normalised) {
        expect(rows.filter((row) => row.ip_address === ip)).toHaveLength(1)
      }
      // Django finds node-axes' failure from the form it was given.
      expect(await django(target, 'failures', 'frank', '2001:DB8:0:0:0:0:0:42')).toBe(1)

      // The other way: Django records a long form, node-axes counts it from the short one.
      await django(target, 'fail', 'frank', '2001:DB8:0:0:0:0:0:99', '--times', '3')
      expect(
        (await django<Row[]>(target, 'dump')).filter((row) => row.ip_address === '2001:db8::99'),
      ).toHaveLength(1)
      expect(await axes.isAllowed(nodeRequest('2001:db8::99'))).toMatchObject({
        allowed: false,
        reason: 'lockedOut',
        failures: 3,
      })

      // An IPv4-mapped address is IPv4 on both sides (ipware 4.0.2 unwraps it, as node-axes does).
      await nodeFails(axes, nodeRequest('::ffff:10.0.5.1'))
      const mapped = (await django<Row[]>(target, 'dump')).filter((row) =>
        row.ip_address?.includes('10.0.5.1'),
      )
      expect(mapped.map((row) => row.ip_address)).toEqual(['10.0.5.1'])
      expect(await django(target, 'failures', 'x', '::ffff:10.0.5.1')).toBe(1)
    })

    // django-axes' get_or_create inserts without node-axes' locks: an insert at the same moment
    // must add to Django's row (node-axes' INSERT ... ON CONFLICT DO NOTHING, then UPDATE).
    it('adds to a row Django is inserting at the same moment', async () => {
      const ip = '10.0.7.1'
      const request = nodeRequest(ip, { username: 'ivan' })
      await axes.isAllowed(request)
      // PostgreSQL and MariaDB: Django commits when told, once node-axes waits on its row (on
      // MariaDB, InnoDB holds node-axes' UPDATE on the row Django inserted and has not committed).
      // SQLite: node-axes blocks this thread on the write lock until Django commits by itself,
      // half a second on.
      const server = target.kind !== 'sqlite'
      const held = await djangoHolding(target, server ? 30 : 0.5, 'ivan', ip)
      const pending = axes.loginFailed(request)
      if (server) await someoneWaits(target)
      const [djangoResult] = await held.commit()
      expect(djangoResult).toMatchObject({ failures: 1 })
      expect(await pending).toMatchObject({ reason: 'allowed', failures: 2 })
      expect(await django(target, 'failures', 'ivan', ip)).toBe(2)
    })

    // django-axes 5.39's axes_accesslog has no session_hash (6.5 added it): migration 0002 adds it.
    it('records successful logins in the access log of a django-axes 5.39 database', async () => {
      const errors: Error[] = []
      const off = axes.on('storeError', (event) => {
        errors.push(event.error)
      })
      try {
        await axes.loggedIn(nodeRequest('10.0.6.1', { username: 'hank' }), 'hank')
      } finally {
        off()
      }
      expect(errors.map((error) => error.message)).toEqual([])
    })
  })
}

function queryArgs(query: Record<string, string>): string[] {
  return Object.entries(query).flatMap(([key, value]) => ['--query', `${key}=${value}`])
}

// ---------------------------------------------------------------------------------------------

/**
 * SQLite's description of django-axes 5.39's tables: columns (by name: Django's table rebuilds
 * reorder them), indexes and their columns, checks. session_hash is left out, as on the servers.
 */
async function sqliteSchema(target: Target): Promise<unknown> {
  const db = new Database(target.djangoDatabase, { readonly: true })
  try {
    const schema: Record<string, unknown> = {}
    for (const table of ['axes_accessattempt', 'axes_accessfailurelog', 'axes_accesslog']) {
      const columns = (db.pragma(`table_info(${table})`) as { name: string }[])
        .filter((column) => !(table === 'axes_accesslog' && column.name === 'session_hash'))
        .map(({ cid: _cid, ...column }: { cid?: number; name: string }) => column)
        .sort((a, b) => a.name.localeCompare(b.name))
      const indexes = (db.pragma(`index_list(${table})`) as { name: string }[])
        .map(({ seq: _seq, ...index }: { seq?: number; name: string }) => ({
          ...index,
          columns: (db.pragma(`index_info(${index.name})`) as { name: string }[]).map(
            (c) => c.name,
          ),
        }))
        .sort((a, b) => a.name.localeCompare(b.name))
      const { sql } = db
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(table) as { sql: string }
      schema[table] = { columns, indexes, checks: sql.match(/CHECK \([^)]*\)/g) }
    }
    return schema
  } finally {
    db.close()
  }
}

/**
 * MariaDB's description of django-axes 5.39's tables: engine and collation, columns (type, null,
 * default, auto_increment, character set), indexes and checks. session_hash is left out: 5.39's
 * axes_accesslog has none, node-axes adds it (django-axes 6.5's column).
 */
async function mysqlSchema(target: Target): Promise<unknown> {
  const connection = await mysql.createConnection(target.djangoDatabase)
  const tables = "('axes_accessattempt', 'axes_accessfailurelog', 'axes_accesslog')"
  const describe = async (sql: string) => (await connection.query(sql))[0]
  try {
    return {
      tables: await describe(
        `SELECT table_name, engine, table_collation, row_format FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ${tables} ORDER BY table_name`,
      ),
      columns: await describe(
        `SELECT table_name, column_name, ordinal_position, column_type, is_nullable, column_default, extra, character_set_name, collation_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ${tables} AND NOT (table_name = 'axes_accesslog' AND column_name = 'session_hash') ORDER BY table_name, ordinal_position`,
      ),
      indexes: await describe(
        `SELECT table_name, index_name, non_unique, seq_in_index, column_name, sub_part, nullable, index_type FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name IN ${tables} ORDER BY table_name, index_name, seq_in_index`,
      ),
      checks: await describe(
        `SELECT table_name, constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_schema = DATABASE() AND table_name IN ${tables} ORDER BY table_name, constraint_name`,
      ),
    }
  } finally {
    await connection.end()
  }
}

/**
 * PostgreSQL's description of django-axes 5.39's tables: columns in order (their positions aside:
 * Django's dropped columns leave gaps), sequences, indexes and constraints as pg_dump would write
 * them. session_hash is left out, as on MariaDB.
 */
async function pgSchema(target: Target): Promise<unknown> {
  const client = new pg.Client({ connectionString: target.djangoDatabase })
  await client.connect()
  const tables = "('axes_accessattempt', 'axes_accessfailurelog', 'axes_accesslog')"
  const describe = async (sql: string) => (await client.query(sql)).rows
  try {
    return {
      columns: await describe(
        `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default FROM information_schema.columns WHERE table_schema = current_schema() AND table_name IN ${tables} AND NOT (table_name = 'axes_accesslog' AND column_name = 'session_hash') ORDER BY table_name, ordinal_position`,
      ),
      sequences: await describe(
        `SELECT sequence_name, data_type, start_value, minimum_value, maximum_value, increment, cycle_option FROM information_schema.sequences WHERE sequence_schema = current_schema() AND sequence_name LIKE 'axes_access%' ORDER BY sequence_name`,
      ),
      indexes: await describe(
        `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ${tables} ORDER BY tablename, indexname`,
      ),
      constraints: await describe(
        `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid::regclass::text IN ${tables} ORDER BY 1, 2`,
      ),
    }
  } finally {
    await client.end()
  }
}

/** A suite that cannot run: skipped, saying why, or failed under CI=true. */
function cannotRun(title: string, reason: string, needs: string): void {
  if (CI) {
    describe(title, () => {
      it(`needs ${needs}`, () => {
        throw new Error(`${reason}, and under CI=true that fails the run`)
      })
    })
  } else {
    describe.skip(`${title}: ${reason}`, () => {
      it(`needs ${needs}`, () => {})
    })
  }
}

/**
 * The interop suites on a database server: skipped without the server (under CI=true the global
 * setup has failed already), and without its Python driver (failed under CI=true).
 */
function describeServerInterop(
  name: string,
  server: { url: string | null; aptPackage: string },
  driver: { module: string; aptPackage: string },
  python: string,
  fresh: (serverUrl: string) => Promise<Target>,
  expected: Expected,
): void {
  const title = `django-axes interop (${name})`
  const serverUrl = server.url
  if (serverUrl === null) {
    describe.skip(`${title}: no server (apt-get install ${server.aptPackage})`, () => {
      it('needs a server', () => {})
    })
  } else if (findPython(driver.module) === null) {
    cannotRun(title, `${driver.aptPackage} is not importable (${INSTALL})`, driver.aptPackage)
  } else {
    const withDriver = findPython(`django, axes, ${driver.module}`) ?? python
    describeInterop(name, withDriver, () => fresh(serverUrl), expected)
  }
}

const python = findPython('django, axes')

if (python === null) {
  cannotRun(
    'django-axes interop',
    `python3-django-axes is not importable by python3 or /usr/bin/python3 (${INSTALL})`,
    'python3-django-axes',
  )
} else {
  const dirs: string[] = []
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  describeInterop(
    'SQLite',
    python,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'node-axes-django-'))
      dirs.push(dir)
      const file = join(dir, 'db.sqlite3')
      return { kind: 'sqlite', url: `sqlite:${file}`, djangoDatabase: file }
    },
    {
      tableExistsError: /table "axes_accessattempt" already exists/,
      fakeInitialError: /table "axes_accessfailurelog" already exists/,
      // Python's str() of a naive UTC datetime: the fraction only when it is not zero.
      attemptTimeRaw: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/,
      schemaOf: sqliteSchema,
    },
  )

  describeServerInterop(
    'PostgreSQL',
    { url: pgServerUrl(), aptPackage: 'postgresql' },
    { module: 'psycopg2', aptPackage: 'python3-psycopg2' },
    python,
    async (serverUrl) => {
      const url = await createDatabase(serverUrl, 'postgres')
      // node-axes' sessions in another time zone than Django's (UTC): timestamptz must not care.
      const nodeUrl = new URL(url)
      nodeUrl.searchParams.set('options', '-c TimeZone=America/New_York')
      return { kind: 'postgres', url: nodeUrl.toString(), djangoDatabase: url }
    },
    {
      tableExistsError: /relation "axes_accessattempt" already exists/,
      fakeInitialError: /relation "axes_accessattempt_ip_address_10922d9c" already exists/,
      // Django's connections run in UTC.
      attemptTimeRaw: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/,
      schemaOf: pgSchema,
    },
  )

  describeServerInterop(
    'MariaDB',
    { url: mysqlServerUrl(), aptPackage: 'mariadb-server' },
    { module: 'MySQLdb', aptPackage: 'python3-mysqldb' },
    python,
    async (serverUrl) => {
      const url = await createDatabase(serverUrl, 'mysql')
      // Django's sessions run at +02:00 (settings.py), node-axes' at the server's time zone.
      return { kind: 'mysql', url, djangoDatabase: url }
    },
    {
      // MySQL's error 1050, in its own words.
      tableExistsError: /Table 'axes_accessattempt' already exists/,
      // 0002's AlterField adds db_index with CREATE INDEX: error 1061.
      fakeInitialError: /Duplicate key name 'axes_accessattempt_ip_address_10922d9c'/,
      // datetime(6) as text: always six digits of fraction, UTC whatever the sessions' time zone.
      attemptTimeRaw: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/,
      schemaOf: mysqlSchema,
    },
  )
}
