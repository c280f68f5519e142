// What the database handler stores, read back with SQL, on a SQLite file, PostgreSQL and MariaDB:
// django-axes' rows and columns (AccessAttempt, AccessLog, AccessFailureLog,
// AccessAttemptExpiration), the resets, bad input, a crash in the middle of writing, and a restart.
// Everything goes through createAxes (and the handler where the core would not let bad input
// through); the tables are read with node:sqlite for SQLite and with the server's own client
// (runSql) for the servers.

import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Axes,
  AxesError,
  type AxesOptions,
  type AxesRequest,
  type CountInput,
  createAxes,
  encodeBucketKey,
  type LockoutDecision,
  type LockoutRule,
} from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../../support/inject-servers.js'
import { createDatabase, runSql } from '../../support/servers.js'
import { Database } from '../../support/sqlite.js'

type Dialect = 'sqlite' | 'postgres' | 'mysql'
type Row = Record<string, unknown>

const MASK = '********************'
const SEP = '\n---------\n'
const CAP = 2048
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** A fixed instant with milliseconds, and the next whole second. */
const T0 = Date.UTC(2031, 4, 6, 7, 8, 9, 123)
const T1 = Date.UTC(2031, 4, 6, 7, 8, 10, 0)

const dir = mkdtempSync(join(tmpdir(), 'node-axes-behaviour-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const codePoints = (text: string) => [...text].length
const lastCodePoints = (text: string, n: number) => [...text].slice(-n).join('')

/** Python's `str()` of a naive UTC datetime, as Django writes it on SQLite. */
function djangoText(ms: number): string {
  const iso = new Date(ms).toISOString()
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
  const millis = ms % 1000
  return millis === 0 ? base : `${base}.${iso.slice(20, 23)}000`
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC as milliseconds, or NaN when it is not that. */
function utcMs(text: unknown): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(String(text))
  if (!m) return Number.NaN
  const [, y, mo, d, h, mi, s, f] = m
  return (
    Date.UTC(+(y ?? 0), +(mo ?? 1) - 1, +(d ?? 0), +(h ?? 0), +(mi ?? 0), +(s ?? 0)) +
    Math.floor(Number((f ?? '0').padEnd(6, '0')) / 1000)
  )
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the tables with each dialect's own tools

interface Db {
  readonly url: string
  readonly dialect: Dialect
  /** The rows of `table`, each an object of the named SQL expressions. */
  select(
    table: string,
    columns: Record<string, string>,
    where?: string,
    order?: string,
  ): Promise<Row[]>
  /** One row of scalar expressions (subqueries), read in one statement. */
  one(columns: Record<string, string>): Promise<Row>
  exec(sql: string): Promise<void>
  /** A datetime literal for `ms`, as Django stores it in this dialect. */
  at(ms: number): string
  /** A datetime column as UTC text: as stored on SQLite, 'YYYY-MM-DD HH:MM:SS.ffffff' elsewhere. */
  utcText(column: string): string
}

function sqliteDb(file: string): Db {
  const withDb = <T>(fn: (db: Database) => T): T => {
    const db = new Database(file)
    try {
      db.pragma('busy_timeout = 5000')
      return fn(db)
    } finally {
      db.close()
    }
  }
  const list = (columns: Record<string, string>) =>
    Object.entries(columns)
      .map(([alias, expression]) => `${expression} AS "${alias}"`)
      .join(', ')
  return {
    url: `sqlite:${file}`,
    dialect: 'sqlite',
    select: async (table, columns, where, order) =>
      withDb(
        (db) =>
          db
            .prepare(
              `SELECT ${list(columns)} FROM ${table}${where ? ` WHERE ${where}` : ''} ORDER BY ${order ?? 'id'}`,
            )
            .all() as Row[],
      ),
    one: async (columns) => withDb((db) => db.prepare(`SELECT ${list(columns)}`).get() as Row),
    exec: async (sql) => withDb((db) => void db.exec(sql)),
    at: (ms) => `'${djangoText(ms)}'`,
    utcText: (column) => column,
  }
}

function serverDb(url: string, dialect: 'postgres' | 'mysql'): Db {
  const pairs = (columns: Record<string, string>) =>
    Object.entries(columns)
      .map(([alias, expression]) => `'${alias}', ${expression}`)
      .join(', ')
  const json = async (sql: string) => {
    const out = (await runSql(url, sql)).trim()
    return JSON.parse(out === '' || out === 'NULL' ? 'null' : out) as unknown
  }
  return {
    url,
    dialect,
    async select(table, columns, where, order) {
      const w = where ? ` WHERE ${where}` : ''
      const sql =
        dialect === 'postgres'
          ? `SELECT json_agg(json_build_object(${pairs(columns)}) ORDER BY ${order ?? 'id'}) FROM ${table}${w}`
          : `SET SESSION group_concat_max_len = 1073741824; SELECT JSON_ARRAYAGG(JSON_OBJECT(${pairs(columns)}) ORDER BY ${order ?? 'id'}) FROM ${table}${w}`
      return ((await json(sql)) as Row[] | null) ?? []
    },
    async one(columns) {
      const sql =
        dialect === 'postgres'
          ? `SELECT json_build_object(${pairs(columns)})`
          : `SELECT JSON_OBJECT(${pairs(columns)})`
      return (await json(sql)) as Row
    },
    exec: async (sql) => void (await runSql(url, sql)),
    at: (ms) =>
      dialect === 'postgres'
        ? `'${new Date(ms).toISOString()}'::timestamptz`
        : `'${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')}'`,
    utcText: (column) =>
      dialect === 'postgres'
        ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`
        : `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i:%s.%f')`,
  }
}

/** A fresh, migrated database of the dialect. */
async function freshDb(dialect: Dialect, server: string): Promise<Db> {
  const db =
    dialect === 'sqlite'
      ? sqliteDb(
          join(
            dir,
            `axes-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}.sqlite3`,
          ),
        )
      : serverDb(await createDatabase(server, dialect), dialect)
  const handler = databaseHandler({ url: db.url })
  await handler.migrate()
  await handler.close?.()
  return db
}

const WIPE = [
  'axes_accessattemptexpiration',
  'axes_accessattempt',
  'axes_accesslog',
  'axes_accessfailurelog',
  'axes_reservation',
  'axes_source',
  'axes_wrongpassword',
]
  .map((table) => `DELETE FROM ${table};`)
  .join(' ')

/** The text to compare with `utcText(column)` for an instant. */
const storedText = (dialect: Dialect, ms: number) =>
  dialect === 'sqlite'
    ? djangoText(ms)
    : `${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')}000`

const ATTEMPT_COLUMNS = {
  id: 'id',
  username: 'username',
  ip: 'ip_address',
  ua: 'user_agent',
  accept: 'http_accept',
  path: 'path_info',
  failures: 'failures_since_start',
  get: 'get_data',
  post: 'post_data',
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestSpec {
  username?: unknown
  ip?: string | null
  ua?: string
  accept?: string
  path?: string
  body?: unknown
  query?: Record<string, unknown>
  sessionId?: string
}

function request(spec: RequestSpec = {}): AxesRequest {
  const headers: Record<string, string> = { 'user-agent': spec.ua ?? 'UA/1.0' }
  if (spec.accept !== undefined) headers.accept = spec.accept
  return {
    method: 'POST',
    path: spec.path ?? '/login',
    headers,
    socketAddress: spec.ip === undefined ? '198.51.100.7' : spec.ip,
    ...(spec.query ? { query: spec.query } : {}),
    body: 'body' in spec ? spec.body : { username: spec.username ?? 'alice', password: 'wrong' },
    ...(spec.sessionId !== undefined ? { sessionId: spec.sessionId } : {}),
  }
}

function serverUrl(dialect: Dialect): string | null {
  if (dialect === 'sqlite') return 'file'
  return dialect === 'postgres' ? pgServerUrl() : mysqlServerUrl()
}

const TARGETS: { name: string; dialect: Dialect }[] = [
  { name: 'SQLite file', dialect: 'sqlite' },
  { name: 'PostgreSQL', dialect: 'postgres' },
  { name: 'MariaDB', dialect: 'mysql' },
]

describe.each(TARGETS)('database handler behaviour ($name)', ({ dialect }) => {
  const server = serverUrl(dialect)
  describe.skipIf(server === null)('tables read back with SQL', () => {
    let db: Db
    const instances: Axes[] = []
    const storeErrors: string[] = []

    beforeAll(async () => {
      db = await freshDb(dialect, server as string)
    })
    beforeEach(async () => {
      await db.exec(WIPE)
    })
    afterEach(async () => {
      await Promise.all(instances.splice(0).map((axes) => axes.close()))
      // loggedIn, loggedOut and resetOnSuccess report a store error only as an event.
      expect(storeErrors.splice(0)).toEqual([])
    })

    /** An instance on the dialect's database; a store error fails the test (in afterEach). */
    const open = (options: AxesOptions = {}) => {
      const axes = createAxes({
        failureLimit: 100,
        cooloffTime: '1h',
        logger: false,
        // Rows with a NULL IP are part of django-axes' cases: counted, not refused.
        unknownClientIp: 'shareBucket',
        ...options,
        handler: databaseHandler({ url: db.url }),
      })
      axes.on('storeError', ({ error, operation }) => {
        storeErrors.push(`${operation}: ${error.message}`)
      })
      instances.push(axes)
      return axes
    }
    const attempts = (where?: string) => db.select('axes_accessattempt', ATTEMPT_COLUMNS, where)
    const count = async (table: string) =>
      Number((await db.one({ n: `(SELECT COUNT(*) FROM ${table})` })).n)

    // ----- 1. AccessAttempt rows -----

    it('keeps one axes_accessattempt row per (username, IP, user agent), counting failures_since_start', async () => {
      const axes = open()
      const fail = async (spec: RequestSpec, times = 1) => {
        for (let i = 0; i < times; i++) await axes.loginFailed(request(spec))
      }
      await fail({ username: 'alice' }, 3)
      await fail({ username: 'alice', ua: 'UA/2.0' })
      await fail({ username: 'alice', ip: '203.0.113.5' }, 2)
      await fail({ username: 'bob' }, 2)
      await fail({ body: { password: 'x' } }) // no username: a NULL username row
      const rows = (await attempts()).map((r) => [r.username, r.ip, r.ua, Number(r.failures)])
      expect(rows).toEqual([
        ['alice', '198.51.100.7', 'UA/1.0', 3],
        ['alice', '198.51.100.7', 'UA/2.0', 1],
        ['alice', '203.0.113.5', 'UA/1.0', 2],
        ['bob', '198.51.100.7', 'UA/1.0', 2],
        [null, '198.51.100.7', 'UA/1.0', 1],
      ])
    })

    it("writes attempt_time as UTC now, in Django's form for the dialect", async () => {
      let now = T0
      const clocked = open({ clock: () => now })
      await clocked.loginFailed(request({ username: 'clocked' }))
      const time = { t: db.utcText('attempt_time') }
      expect((await db.select('axes_accessattempt', time))[0]?.t).toBe(storedText(dialect, T0))
      now = T1 // a whole second: Django writes no fraction on SQLite
      await clocked.loginFailed(request({ username: 'clocked' }))
      expect((await db.select('axes_accessattempt', time))[0]?.t).toBe(storedText(dialect, T1))

      const before = Date.now()
      await open().loginFailed(request({ username: 'real' }))
      const after = Date.now()
      const [row] = await db.select('axes_accessattempt', time, "username = 'real'")
      if (dialect === 'sqlite') {
        expect(row?.t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/)
        expect(row?.t).not.toMatch(/\.000000$/)
      }
      const ms = utcMs(row?.t)
      expect(ms).toBeGreaterThanOrEqual(before)
      expect(ms).toBeLessThanOrEqual(after)
    })

    it('masks password and the sensitive parameters in get_data/post_data, joined with the separator', async () => {
      const axes = open()
      const body = (token: string) => ({
        username: 'alice',
        password: 'secret',
        ip_address: '10.0.0.1',
        token,
      })
      const query = { next: '/home', password: 'in-the-url' }
      await axes.loginFailed(request({ body: body('t1'), query }))
      await axes.loginFailed(request({ body: body('t2'), query }))
      const [row] = await attempts()
      const get = `next=/home\npassword=${MASK}`
      const post = (t: string) =>
        `username=${MASK}\npassword=${MASK}\nip_address=${MASK}\ntoken=${t}`
      expect(row?.get).toBe(`${get}${SEP}${get}`)
      expect(row?.post).toBe(`${post('t1')}${SEP}${post('t2')}`)
      expect(Number(row?.failures)).toBe(2)

      // Custom sensitive parameters and password field (the list replaces the default one).
      await db.exec(WIPE)
      const custom = open({ passwordFormField: 'pw', sensitiveParameters: ['otp'] })
      await custom.loginFailed(
        request({ body: { username: 'bob', pw: 'a', password: 'b', otp: '123456', note: 'hi' } }),
      )
      expect((await attempts())[0]?.post).toBe(
        `username=bob\npw=${MASK}\npassword=${MASK}\notp=${MASK}\nnote=hi`,
      )
    })

    it('caps get_data/post_data at 2048 characters, keeping the newest, after many large failures', async () => {
      const axes = open()
      const entries: string[] = []
      for (let i = 0; i < 12; i++) {
        const blob = String.fromCharCode(97 + i).repeat(1000)
        entries.push(`username=${MASK}\npassword=${MASK}\nblob=${blob}`.slice(0, 1024))
        await axes.loginFailed(request({ body: { username: 'alice', password: 'x', blob } }))
      }
      const [row] = await attempts()
      expect(Number(row?.failures)).toBe(12)
      expect(String(row?.post).length).toBe(CAP)
      expect(row?.post).toBe(entries.join(SEP).slice(-CAP))
      // The empty query string still joins, as django-axes' Concat does.
      expect(row?.get).toBe(Array(12).fill('').join(SEP))

      // Counted in characters, not UTF-16 units or bytes: 4-byte characters are never split.
      const emoji: string[] = []
      for (let i = 0; i < 10; i++) {
        const e = (i % 2 ? '😀' : '𝔘').repeat(1100)
        emoji.push([...`username=${MASK}\npassword=${MASK}\ne=${e}`].slice(0, 1024).join(''))
        await axes.loginFailed(
          request({ username: 'emoji', body: { username: 'emoji', password: 'x', e } }),
        )
      }
      const [big] = await attempts("username = 'emoji'")
      const post = String(big?.post)
      expect(codePoints(post)).toBe(CAP)
      expect(post.isWellFormed()).toBe(true)
      expect(post).toBe(lastCodePoints(emoji.join(SEP), CAP))
    })

    it('starts a row past the cool-off again at 1, with fresh data', async () => {
      let now = T0
      const axes = open({ clock: () => now })
      await axes.loginFailed(request({ body: { username: 'alice', n: '1' } }))
      await axes.loginFailed(request({ body: { username: 'alice', n: '2' } }))
      now = T0 + 2 * HOUR
      await axes.loginFailed(request({ body: { username: 'alice', n: '3' } }))
      const rows = await attempts()
      expect(rows).toHaveLength(1)
      expect(Number(rows[0]?.failures)).toBe(1)
      expect(rows[0]?.post).toBe(`username=${MASK}\nn=3`)
    })

    it('stores http_accept and path_info as sent (the latest on the row), <unknown> without a header', async () => {
      const axes = open()
      await axes.loginFailed(request({ accept: 'application/json', path: '/api/login' }))
      await axes.loginFailed(
        request({
          accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
          path: '/accounts/login/',
        }),
      )
      await axes.loginFailed(request({ username: 'bob' }))
      const [alice, bob] = await attempts()
      expect(alice).toMatchObject({
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8',
        path: '/accounts/login/',
      })
      expect(bob).toMatchObject({ accept: '<unknown>', path: '/login' })
    })

    it("stores IPv6 addresses canonical, as Django's GenericIPAddressField does", async () => {
      const axes = open()
      await axes.loginFailed(request({ ip: '2001:DB8:0:0::1' }))
      await axes.loginFailed(request({ ip: '2001:db8:0000::0001' }))
      await axes.loginFailed(request({ ip: '0:0:0:0:0:0:0:1' }))
      const rows = (await attempts()).map((r) => [r.ip, Number(r.failures)])
      expect(rows).toEqual([
        ['2001:db8::1', 2],
        ['::1', 1],
      ])
    })

    // ----- 2. AccessLog -----

    it('writes an axes_accesslog row on loggedIn, with the session hash and no logout_time', async () => {
      const axes = open({ clock: () => T0 })
      await axes.loggedIn(
        request({ username: 'alice', sessionId: 'session-key-1', accept: '*/*', path: '/in' }),
      )
      await axes.loggedIn(request({ username: 'bob' }))
      const rows = await db.select('axes_accesslog', {
        username: 'username',
        ip: 'ip_address',
        ua: 'user_agent',
        accept: 'http_accept',
        path: 'path_info',
        at: db.utcText('attempt_time'),
        out: 'logout_time',
        hash: 'session_hash',
      })
      expect(rows).toEqual([
        {
          username: 'alice',
          ip: '198.51.100.7',
          ua: 'UA/1.0',
          accept: '*/*',
          path: '/in',
          at: storedText(dialect, T0),
          out: null,
          hash: sha256('session-key-1'),
        },
        {
          username: 'bob',
          ip: '198.51.100.7',
          ua: 'UA/1.0',
          accept: '<unknown>',
          path: '/login',
          at: storedText(dialect, T0),
          out: null,
          hash: '',
        },
      ])
    })

    it("sets logout_time on loggedOut only on that user's open row with the same session hash", async () => {
      let now = T0
      const axes = open({ clock: () => now })
      const login = (username: string, sessionId?: string) =>
        axes.loggedIn(request({ username, ...(sessionId ? { sessionId } : {}) }))
      await login('alice', 's1') // closed by the first logout
      now += 1000
      await axes.loggedOut(request({ username: 'alice', sessionId: 's1' }))
      now += 1000
      await login('alice', 's1') // closed by the second logout
      await login('alice', 's2')
      await login('alice')
      await login('bob', 's1')
      now += 1000
      await axes.loggedOut(request({ body: {}, sessionId: 's1' }), 'alice')
      const rows = await db.select('axes_accesslog', {
        username: 'username',
        hash: 'session_hash',
        out: `CASE WHEN logout_time IS NULL THEN NULL ELSE ${db.utcText('logout_time')} END`,
      })
      expect(rows.map((r) => [r.username, r.hash, r.out])).toEqual([
        ['alice', sha256('s1'), storedText(dialect, T0 + 1000)],
        ['alice', sha256('s1'), storedText(dialect, T0 + 3000)],
        ['alice', sha256('s2'), null],
        ['alice', '', null],
        ['bob', sha256('s1'), null],
      ])
    })

    it('writes and updates nothing in axes_accesslog with disableAccessLog', async () => {
      await open().loggedIn(request({ username: 'alice', sessionId: 's1' }))
      const axes = open({ disableAccessLog: true })
      await axes.loggedIn(request({ username: 'alice', sessionId: 's1' }))
      await axes.loggedIn(request({ username: 'bob' }))
      await axes.loggedOut(request({ username: 'alice', sessionId: 's1' }))
      const rows = await db.select('axes_accesslog', { username: 'username', out: 'logout_time' })
      expect(rows).toEqual([{ username: 'alice', out: null }])
    })

    // ----- 3. AccessFailureLog -----

    it('writes one axes_accessfailurelog row per failure, locked_out from the failure that reaches the limit', async () => {
      const axes = open({ enableAccessFailureLog: true, failureLimit: 3, clock: () => T0 })
      for (let i = 0; i < 4; i++) {
        await axes.loginFailed(request({ accept: 'text/html', path: '/login/' }))
      }
      const rows = await db.select('axes_accessfailurelog', {
        username: 'username',
        ip: 'ip_address',
        ua: 'user_agent',
        accept: 'http_accept',
        path: 'path_info',
        at: db.utcText('attempt_time'),
        locked: 'locked_out',
      })
      expect(rows.map((r) => r.locked === true || Number(r.locked) === 1)).toEqual([
        false,
        false,
        true,
        true,
      ])
      expect(rows[0]).toMatchObject({
        username: 'alice',
        ip: '198.51.100.7',
        ua: 'UA/1.0',
        accept: 'text/html',
        path: '/login/',
        at: storedText(dialect, T0),
      })
      // Without the option, nothing.
      await open().loginFailed(request({ username: 'bob' }))
      expect(await count('axes_accessfailurelog')).toBe(4)
    })

    it("keeps the newest accessFailureLogPerUserLimit rows per username, oldest first out, and leaves other usernames' rows alone", async () => {
      let now = T0
      const axes = open({
        enableAccessFailureLog: true,
        accessFailureLogPerUserLimit: 3,
        clock: () => now,
      })
      // Rows that alice's failures must not touch: bob over the limit, and a NULL username.
      const insert = (id: number | null, username: string | null, ms: number) =>
        `INSERT INTO axes_accessfailurelog (${id === null ? '' : 'id, '}user_agent, ip_address, username, http_accept, path_info, attempt_time, locked_out) VALUES (${id === null ? '' : `${id}, `}'UA/1.0', '192.0.2.1', ${username === null ? 'NULL' : `'${username}'`}, '*/*', '/login', ${db.at(ms)}, ${dialect === 'postgres' ? 'false' : '0'});`
      await db.exec(
        [0, 1, 2, 3, 4].map((i) => insert(null, 'bob', T0 - DAY + i)).join(' ') +
          insert(null, null, T0 - DAY),
      )
      for (let i = 0; i < 5; i++) {
        await axes.loginFailed(request({ username: 'alice' }))
        now += 1000
      }
      const times = async (username: string) =>
        (
          await db.select(
            'axes_accessfailurelog',
            { at: db.utcText('attempt_time') },
            `username = '${username}'`,
            'attempt_time',
          )
        ).map((r) => r.at)
      expect(await times('alice')).toEqual([2, 3, 4].map((i) => storedText(dialect, T0 + i * 1000)))
      expect(await times('bob')).toHaveLength(5)
      expect(await count('axes_accessfailurelog')).toBe(3 + 5 + 1)

      // "Oldest" is by attempt_time, not by id: an old row with the highest id goes first.
      await db.exec(insert(100_000, 'alice', T0 - DAY))
      await axes.loginFailed(request({ username: 'alice' })) // at T0 + 5 s
      expect(await times('alice')).toEqual([3, 4, 5].map((i) => storedText(dialect, T0 + i * 1000)))
      expect(await times('bob')).toHaveLength(5)
    })

    // ----- 4. AccessAttemptExpiration -----

    it('creates and extends the axes_accessattemptexpiration row, and deletes it with the attempt on reset', async () => {
      let now = T0
      const axes = open({ useAttemptExpiration: true, clock: () => now })
      const expiration = async () =>
        db.select(
          'axes_accessattemptexpiration',
          { id: 'access_attempt_id', at: db.utcText('expires_at') },
          undefined,
          'access_attempt_id',
        )
      await axes.loginFailed(request())
      const [attempt] = await attempts()
      expect(await expiration()).toEqual([{ id: attempt?.id, at: storedText(dialect, T0 + HOUR) }])
      now = T0 + 10 * 60_000
      await axes.loginFailed(request())
      expect(await expiration()).toEqual([
        { id: attempt?.id, at: storedText(dialect, T0 + 10 * 60_000 + HOUR) },
      ])
      await axes.loginFailed(request({ username: 'bob' }))
      expect(await expiration()).toHaveLength(2)

      // django-axes counts the cascaded expiration row too (2 for one attempt); node-axes counts
      // attempts.
      expect(await axes.reset({ username: 'alice' })).toBe(1)
      expect((await attempts()).map((r) => r.username)).toEqual(['bob'])
      expect(await expiration()).toHaveLength(1)
      expect(await axes.reset()).toBe(1)
      expect(await count('axes_accessattempt')).toBe(0)
      expect(await count('axes_accessattemptexpiration')).toBe(0)
    })

    it('deletes expiration rows with their attempts on resetOnSuccess and in the sweep of expired rows', async () => {
      let now = T0
      const axes = open({
        useAttemptExpiration: true,
        resetOnSuccess: true,
        lockoutParameters: ['ip_address'],
        clock: () => now,
      })
      await axes.loginFailed(request({ username: 'alice' }))
      await axes.loggedIn(request({ username: 'alice' }))
      expect(await count('axes_accessattempt')).toBe(0)
      expect(await count('axes_accessattemptexpiration')).toBe(0)

      // The sweep (every 32nd write) deletes the bucket's expired rows with their expirations.
      await axes.loginFailed(request({ username: 'old' }))
      now = T0 + 2 * HOUR
      for (let i = 0; i < 40; i++) await axes.loginFailed(request({ username: 'new' }))
      expect((await attempts()).map((r) => [r.username, Number(r.failures)])).toEqual([['new', 40]])
      const [row] = await attempts()
      const exp = await db.select(
        'axes_accessattemptexpiration',
        { id: 'access_attempt_id' },
        undefined,
        'access_attempt_id',
      )
      expect(exp).toEqual([{ id: row?.id }])
    })

    // ----- 5. Resets -----

    it('resetLogs and resetFailureLogs delete all rows, or those at least `age` days old', async () => {
      const now = Date.now()
      const logRow = (username: string, ms: number) =>
        `INSERT INTO axes_accesslog (user_agent, ip_address, username, http_accept, path_info, attempt_time, logout_time, session_hash) VALUES ('UA', '192.0.2.1', '${username}', '*/*', '/login', ${db.at(ms)}, NULL, '');`
      const failureRow = (username: string, ms: number) =>
        `INSERT INTO axes_accessfailurelog (user_agent, ip_address, username, http_accept, path_info, attempt_time, locked_out) VALUES ('UA', '192.0.2.1', '${username}', '*/*', '/login', ${db.at(ms)}, ${dialect === 'postgres' ? 'true' : '1'});`
      await db.exec(
        [
          logRow('old', now - 10 * DAY),
          logRow('older', now - 40 * DAY),
          logRow('mid', now - 3 * DAY),
        ].join(' ') +
          [
            failureRow('old', now - 10 * DAY),
            failureRow('older', now - 40 * DAY),
            failureRow('mid', now - 3 * DAY),
          ].join(' '),
      )
      const axes = open({ enableAccessFailureLog: true })
      await axes.loggedIn(request({ username: 'fresh' }))
      await axes.loginFailed(request({ username: 'fresh' }))
      const names = async (table: string) =>
        (await db.select(table, { u: 'username' }, undefined, 'username')).map((r) => r.u)

      expect(await axes.resetLogs({ age: 30 })).toBe(1)
      expect(await names('axes_accesslog')).toEqual(['fresh', 'mid', 'old'])
      expect(await axes.resetLogs({ age: 5 })).toBe(1)
      expect(await axes.resetLogs({ age: 5 })).toBe(0)
      expect(await names('axes_accesslog')).toEqual(['fresh', 'mid'])
      // The failure logs are a separate table.
      expect(await names('axes_accessfailurelog')).toEqual(['fresh', 'mid', 'old', 'older'])
      expect(await axes.resetLogs()).toBe(2)
      expect(await count('axes_accesslog')).toBe(0)

      expect(await axes.resetFailureLogs({ age: 5 })).toBe(2)
      expect(await names('axes_accessfailurelog')).toEqual(['fresh', 'mid'])
      expect(await axes.resetFailureLogs({ age: 1 })).toBe(1)
      expect(await axes.resetFailureLogs()).toBe(1)
      expect(await count('axes_accessfailurelog')).toBe(0)
      expect(await axes.resetFailureLogs()).toBe(0)
      // Attempts are not logs.
      expect(await count('axes_accessattempt')).toBe(1)
    })

    it('lists rows newest first, each locked while its own failures are at the limit and its cool-off runs', async () => {
      let now = T0
      const axes = open({ failureLimit: 3, cooloffTime: '1h', clock: () => now })
      for (let i = 0; i < 3; i++) await axes.loginFailed(request({ username: 'alice' }))
      now += 1000
      await axes.loginFailed(request({ username: 'bob', ip: '203.0.113.9' }))
      const listed = (await axes.listAttempts()).map((a) => [
        a.username,
        a.ipAddress,
        a.failures,
        a.attemptTime.getTime(),
        a.lockedUntil,
      ])
      expect(listed).toEqual([
        ['bob', '203.0.113.9', 1, T0 + 1000, null],
        ['alice', '198.51.100.7', 3, T0, T0 + HOUR],
      ])
      expect(await axes.listAttempts({ limit: 1 })).toHaveLength(1)
      // Past the cool-off the rows are still listed (until a sweep or a reset), no longer locked.
      now = T0 + HOUR
      expect((await axes.listAttempts()).map((a) => [a.username, a.lockedUntil])).toEqual([
        ['bob', null],
        ['alice', null],
      ])
      // With a limit that depends on the request there is no one rule to judge rows by.
      const dynamic = open({ failureLimit: () => 3, cooloffTime: '1h', clock: () => T0 })
      expect((await dynamic.listAttempts()).map((a) => a.lockedUntil)).toEqual([null, null])
    })

    const IP1 = '192.0.2.1'
    const IP2 = '192.0.2.2'
    const SEEDS: [string, string | null][] = [
      ['alice', IP1],
      ['alice', IP2],
      ['bob', IP1],
      ['bob', IP2],
      ['carol', '192.0.2.3'],
      ['dave', null], // no IP: a socket address that is not one
      ['eve', '2001:db8::1'],
    ]
    it.each([
      { filter: {}, removed: 7, left: [] as string[] },
      { filter: { ip: IP1 }, removed: 2, left: ['alice@2', 'bob@2', 'carol', 'dave', 'eve'] },
      {
        filter: { username: 'alice' },
        removed: 2,
        left: ['bob@1', 'bob@2', 'carol', 'dave', 'eve'],
      },
      {
        filter: { ip: IP1, username: 'alice' },
        removed: 1,
        left: ['alice@2', 'bob@1', 'bob@2', 'carol', 'dave', 'eve'],
      },
      {
        filter: { ip: IP1, username: 'alice', ipOrUsername: true },
        removed: 3,
        left: ['bob@2', 'carol', 'dave', 'eve'],
      },
      // django-axes builds Q(ip_address=None) | Q(username=…) here, which also deletes every row
      // without an IP (dave); node-axes takes the missing IP as "not part of the filter".
      {
        filter: { username: 'alice', ipOrUsername: true },
        removed: 2,
        left: ['bob@1', 'bob@2', 'carol', 'dave', 'eve'],
      },
      {
        filter: { ip: '2001:DB8:0:0::1' },
        removed: 1,
        left: ['alice@1', 'alice@2', 'bob@1', 'bob@2', 'carol', 'dave'],
      },
      { filter: { ip: '203.0.113.99' }, removed: 0, left: null },
      { filter: { ip: 'not-an-ip' }, removed: 0, left: null },
      {
        filter: { ip: 'not-an-ip', username: 'alice', ipOrUsername: true },
        removed: 2,
        left: null,
      },
    ])(
      'reset($filter) removes $removed attempts, as django-axes reset_attempts does',
      async ({ filter, removed, left }) => {
        const axes = open()
        for (const [username, ip] of SEEDS) {
          await axes.loginFailed(request({ username, ip: ip ?? 'unknown' }))
        }
        expect(await count('axes_accessattempt')).toBe(SEEDS.length)
        expect(await axes.reset(filter)).toBe(removed)
        if (left !== null) {
          const remaining = (await attempts()).map((r) =>
            r.username === 'alice' || r.username === 'bob'
              ? `${r.username}@${String(r.ip).slice(-1)}`
              : r.username,
          )
          expect(remaining.sort()).toEqual(left)
        } else {
          expect(await count('axes_accessattempt')).toBe(SEEDS.length - removed)
        }
      },
    )

    it("resetOnSuccess deletes the rows of the client's buckets (every username from the IP under ['ip_address'])", async () => {
      const byIp = open({ resetOnSuccess: true, lockoutParameters: ['ip_address'] })
      await byIp.loginFailed(request({ username: 'alice', ip: IP1 }))
      await byIp.loginFailed(request({ username: 'bob', ip: IP1 }))
      await byIp.loginFailed(request({ username: 'carol', ip: IP2 }))
      await byIp.loggedIn(request({ username: 'alice', ip: IP1 }))
      expect((await attempts()).map((r) => r.username)).toEqual(['carol'])

      await db.exec(WIPE)
      const byPair = open({ resetOnSuccess: true, lockoutParameters: [['username', 'ip_address']] })
      await byPair.loginFailed(request({ username: 'alice', ip: IP1 }))
      await byPair.loginFailed(request({ username: 'bob', ip: IP1 }))
      await byPair.loginFailed(request({ username: 'alice', ip: IP2 }))
      const result = await byPair.protect(request({ username: 'alice', ip: IP1 }), null, () => ({
        username: 'alice',
      }))
      expect(result.ok).toBe(true)
      expect((await attempts()).map((r) => `${r.username}@${String(r.ip)}`)).toEqual([
        `bob@${IP1}`,
        `alice@${IP2}`,
      ])
      expect(await count('axes_accesslog')).toBe(1)
    })

    // ----- 6. Bad input -----

    it('answers every call on bad input with a decision and stores only well-formed rows', async () => {
      const deep: Record<string, unknown> = {}
      let cursor = deep
      for (let i = 0; i < 100_000; i++) {
        const next: Record<string, unknown> = {}
        cursor.a = next
        cursor = next
      }
      const circular: Record<string, unknown> = { username: 'circular', password: 'x' }
      circular.self = circular
      const MB = 1 << 20
      const specs: RequestSpec[] = [
        {
          username: 'ali\0ce',
          ua: 'Moz\0illa',
          path: '/lo\0gin',
          accept: 'text/\0html',
          query: { q: 'a\0b' },
          body: { username: 'ali\0ce', password: 'x', note: 'n\0ul' },
        },
        { username: 'émile😀𝔘', ua: '😀'.repeat(10), path: '/😀', accept: '😀/😀' },
        {
          username: 'u'.repeat(MB),
          ua: 'a'.repeat(MB),
          path: `/${'p'.repeat(MB)}`,
          accept: 'h'.repeat(MB),
        },
        { username: '😀'.repeat(MB / 2), ua: '𝔘'.repeat(MB / 2), path: `/${'😀'.repeat(MB / 2)}` },
        { username: 'lone\uD800surrogate', ua: 'ua\uDC00' },
        { username: 'no-ip', ip: 'not-an-ip' },
        { username: 'empty-ip', ip: '' },
        { username: 'bad-v4', ip: '999.1.1.1' },
        { username: 'list-ip', ip: '192.0.2.1, 192.0.2.2' },
        { username: 'zone', ip: 'fe80::1%eth0' },
        {
          body: {
            username: { nested: { object: true } },
            password: ['a', { b: 1 }],
            deep,
            list: [1, [2, [3]]],
          },
        },
        { body: circular },
        { body: [1, 2, 3] },
        { body: 'raw body' },
        { body: { username: 'x'.repeat(MB), password: 'p'.repeat(MB), other: 'o'.repeat(MB) } },
      ]
      const axes = open({
        enableAccessFailureLog: true,
        lockoutParameters: ['ip_address', 'username', ['username', 'user_agent']],
        // High enough that the shared IP never locks: an attempt refused by a lock adds no row,
        // and every spec must leave one to check.
        failureLimit: 1000,
      })
      const decisions: LockoutDecision[] = []
      for (const spec of specs) {
        decisions.push(await axes.isAllowed(request(spec)))
        decisions.push(await axes.loginFailed(request(spec)))
        const reservation = await axes.reserve(request(spec))
        decisions.push(reservation.decision)
        decisions.push(await reservation.failed())
        decisions.push((await axes.protect(request(spec), null, () => null)).decision)
        await axes.loggedIn(request({ ...spec, sessionId: 'sess\0ion😀' }))
        await axes.loggedOut(request({ ...spec, sessionId: 'sess\0ion😀' }))
      }
      for (const decision of decisions) {
        expect(decision.reason).not.toBe('storeError')
        expect(typeof decision.allowed).toBe('boolean')
      }

      const text = (value: unknown) => (value === null ? null : String(value))
      const wellFormed = (row: Row, limits: Record<string, number>) => {
        for (const [key, value] of Object.entries(row)) {
          if (value === null || typeof value !== 'string') continue
          expect(value.includes('\0'), `${key} holds NUL`).toBe(false)
          expect(value.isWellFormed(), `${key} is not well-formed`).toBe(true)
          const limit = limits[key]
          if (limit !== undefined) expect(codePoints(value), key).toBeLessThanOrEqual(limit)
        }
        const ip = text(row.ip)
        if (ip !== null) expect(ip).toMatch(/^[0-9a-f.:]+$/)
      }
      const limits = { username: 255, ua: 255, path: 255, accept: 1025, get: CAP, post: CAP }
      const rows = await attempts()
      expect(rows.length).toBeGreaterThanOrEqual(specs.length - 4)
      for (const row of rows) {
        wellFormed(row, limits)
        expect(Number(row.failures)).toBeGreaterThanOrEqual(1)
      }
      const logColumns = {
        username: 'username',
        ip: 'ip_address',
        ua: 'user_agent',
        accept: 'http_accept',
        path: 'path_info',
      }
      const logs = await db.select('axes_accesslog', { ...logColumns, hash: 'session_hash' })
      expect(logs).toHaveLength(specs.length) // loggedIn; protect's verify never succeeds
      for (const row of logs) {
        wellFormed(row, limits)
        expect(row.hash).toBe(sha256('sess\0ion😀'))
      }
      for (const row of await db.select('axes_accessfailurelog', logColumns))
        wellFormed(row, limits)

      const usernames = rows.map((r) => r.username)
      expect(usernames).toContain('ali\uFFFDce')
      expect(usernames).toContain('émile😀𝔘')
      expect(usernames).toContain('u'.repeat(255))
      expect(usernames).toContain('😀'.repeat(255))
      expect(usernames).toContain('lone\uFFFDsurrogate')
      expect(usernames).toContain('x'.repeat(255))
      const byName = (name: string) => rows.find((r) => r.username === name)
      expect(byName('ali\uFFFDce')).toMatchObject({
        ua: 'Moz\uFFFDilla',
        path: '/lo\uFFFDgin',
        accept: 'text/\uFFFDhtml',
        get: expect.stringMatching(/^q=a0x00b(\n|$)/),
      })
      expect(byName('émile😀𝔘')).toMatchObject({
        ua: '😀'.repeat(10),
        path: '/😀',
        accept: '😀/😀',
      })
      expect(byName('u'.repeat(255))).toMatchObject({
        ua: 'a'.repeat(255),
        path: `/${'p'.repeat(254)}`,
        accept: 'h'.repeat(1025),
      })
      expect(byName('😀'.repeat(255))).toMatchObject({
        ua: '𝔘'.repeat(255),
        path: `/${'😀'.repeat(254)}`,
      })
      for (const name of ['no-ip', 'empty-ip', 'bad-v4']) {
        expect(byName(name)?.ip, name).toBeNull()
      }
      // A list in the socket address: python-ipware's left-most address, as django-axes reads it.
      expect(byName('list-ip')?.ip).toBe('192.0.2.1')
      expect(byName('zone')?.ip).toBe('fe80::1')
      // A nested username is refused (malformedCredentials), never half-read: nothing is stored.
      expect(rows.find((r) => String(r.post).includes('list=[1,[2,[3]]]'))).toBeUndefined()
    })

    it("rejects a non-IP in ip_address with AXES_INVALID_INPUT from the handler's counting methods", async () => {
      const handler = databaseHandler({ url: db.url })
      try {
        for (const [attemptIp, bucketIp] of [
          ['not-an-ip', '192.0.2.1'],
          ['192.0.2.1', 'not-an-ip'],
          ["1.2.3.4'; DROP TABLE axes_accessattempt; --", '1.2.3.4'],
          ['2001:DB8::1', '2001:db8::1'], // not canonical
        ] as const) {
          const bad = countInput(attemptIp, bucketIp)
          for (const call of [
            () => handler.recordFailure(bad),
            () => handler.getFailures(bad),
            () => handler.reserve(bad),
            () => handler.settle({ ...bad, reservation: 'x@0', outcome: 'failure' }),
          ]) {
            // A synchronous throw counts too here (the core awaits inside try); whether the
            // promise contract holds is the next test's business.
            const error = await settled(call)
            expect(error).toBeInstanceOf(AxesError)
            expect(error).toMatchObject({ code: 'AXES_INVALID_INPUT' })
          }
        }
        expect(await count('axes_accessattempt')).toBe(0)
        expect(await handler.recordFailure(countInput('192.0.2.1', '192.0.2.1'))).toMatchObject({
          failures: 1,
        })
      } finally {
        await handler.close?.()
      }
    })

    // A method that returns a Promise reports bad input by rejecting, whenever it is called.
    it('reports a non-IP from getFailures as a rejected promise, not a synchronous throw', async () => {
      const handler = databaseHandler({ url: db.url })
      try {
        await handler.getFailures(countInput('192.0.2.1', '192.0.2.1')) // builds the handler
        let thrown: unknown = null
        let promise: Promise<unknown> | null = null
        try {
          promise = handler.getFailures(countInput('not-an-ip', '192.0.2.1'))
        } catch (error) {
          thrown = error
        }
        expect(thrown).toBeNull()
        await expect(promise).rejects.toMatchObject({ code: 'AXES_INVALID_INPUT' })
      } finally {
        await handler.close?.()
      }
    })

    // loggedIn checks its record at the handler's door too (docs/database.md: never a SQL error).
    it('rejects a non-IP in ip_address with AXES_INVALID_INPUT from loggedIn', async () => {
      const handler = databaseHandler({ url: db.url })
      try {
        const error = await handler
          .loggedIn({
            ipAddress: 'not-an-ip',
            username: 'alice',
            userAgent: 'UA',
            pathInfo: '/login',
            httpAccept: '*/*',
            attemptTime: new Date(),
            sessionHash: '',
          })
          .then(
            () => null,
            (e: unknown) => e,
          )
        expect(error).toBeInstanceOf(AxesError)
        expect(error).toMatchObject({ code: 'AXES_INVALID_INPUT' })
        expect(await count('axes_accesslog')).toBe(0)
      } finally {
        await handler.close?.()
      }
    })

    // ----- 7. A crash in the middle of writing -----

    it('leaves no half-row when the writer is killed with SIGKILL mid-burst', async () => {
      const target = dialect === 'sqlite' ? await freshDb('sqlite', 'file') : db
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/fixtures/crash-writer.ts', target.url, '20'],
        {
          cwd: process.cwd(),
          env: { ...process.env, NODE_OPTIONS: '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      const { committed, stderr } = await killMidBurst(child, 300)
      expect(stderr).toBe('')
      expect(committed).toBeGreaterThan(0)
      if (dialect === 'sqlite') {
        const file = target.url.slice('sqlite:'.length)
        const check = new Database(file)
        try {
          expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
        } finally {
          check.close()
        }
      } else {
        // Let the server finish with the dead connection (roll back, or commit what it had).
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const rows = await target.select('axes_accessattempt', {
        username: 'username',
        failures: 'failures_since_start',
        at: target.utcText('attempt_time'),
        post: 'post_data',
      })
      expect(rows.length).toBeGreaterThan(0)
      for (const row of rows) {
        expect(Number(row.failures)).toBeGreaterThanOrEqual(1)
        expect(Number.isNaN(utcMs(row.at)), String(row.at)).toBe(false)
        const post = String(row.post)
        expect(post.endsWith(`username=${MASK}\npassword=${MASK}\nnote=${'x'.repeat(400)}`)).toBe(
          true,
        )
        expect(post.length).toBeLessThanOrEqual(CAP)
      }
      // One statement, one snapshot: the failures and their failure-log rows, committed together.
      const totals = await target.one({
        failures: '(SELECT SUM(failures_since_start) FROM axes_accessattempt)',
        logs: '(SELECT COUNT(*) FROM axes_accessfailurelog)',
      })
      const failures = Number(totals.failures)
      expect(failures).toBeGreaterThanOrEqual(committed)
      expect(failures).toBeLessThanOrEqual(committed + 1)
      expect(Number(totals.logs)).toBe(failures)

      // A new handler opens the database and counts what is there.
      const axes = createAxes({
        handler: databaseHandler({ url: target.url }),
        failureLimit: 1_000_000,
        cooloffTime: '1h',
        lockoutParameters: [['username', 'ip_address']],
        logger: false,
      })
      try {
        const again = (username: string) =>
          request({ username, ip: '192.0.2.77', ua: 'crash-writer' })
        const user0 = Number(rows.find((r) => r.username === 'user0')?.failures)
        expect((await axes.isAllowed(again('user0'))).failures).toBe(user0)
        expect((await axes.loginFailed(again('user0'))).failures).toBe(user0 + 1)
      } finally {
        await axes.close()
      }
    })

    // ----- 8. Restart -----

    it('keeps a lockout across a restart', async () => {
      const options: AxesOptions = { failureLimit: 2, cooloffTime: '1h', logger: false }
      const first = createAxes({ ...options, handler: databaseHandler({ url: db.url }) })
      await first.loginFailed(request())
      expect((await first.loginFailed(request())).lockedOut).toBe(true)
      await first.close()
      const second = createAxes({ ...options, handler: databaseHandler({ url: db.url }) })
      try {
        expect(await second.isAllowed(request())).toMatchObject({
          allowed: false,
          reason: 'lockedOut',
          failures: 2,
        })
        const reservation = await second.reserve(request())
        expect(reservation.decision).toMatchObject({ allowed: false, reason: 'lockedOut' })
      } finally {
        await second.close()
      }
    })
  })
})

const RULE: LockoutRule = {
  failureLimit: 3,
  cooloffMs: HOUR,
  tiers: [],
  lockOutAtFailure: true,
  recordLockedAttempts: true,
  reservationTtlMs: 30_000,
}

/** A handler's counting input with the given IPs, as the core would never build it. */
function countInput(attemptIp: string, bucketIp: string): CountInput {
  return {
    buckets: [{ key: encodeBucketKey({ ip_address: bucketIp }), fields: { ip_address: bucketIp } }],
    rule: RULE,
    attempt: {
      ipAddress: attemptIp,
      username: 'alice',
      userAgent: 'UA',
      pathInfo: '/login',
      httpAccept: '*/*',
      getData: '',
      postData: '',
      attemptTime: new Date(),
    },
    now: Date.now(),
  }
}

/** The error a call ends with, thrown or rejected; null when it succeeds. */
async function settled(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call()
    return null
  } catch (error) {
    return error
  }
}

/**
 * Waits for the child's first committed failure, lets it write for `ms` more, kills it with
 * SIGKILL and returns the last count it reported.
 */
async function killMidBurst(
  child: ChildProcess,
  ms: number,
): Promise<{ committed: number; stderr: string }> {
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000)
    const onData = () => {
      if (!stdout.includes('\n')) return
      clearTimeout(timer)
      child.stdout?.off('data', onData)
      resolve(true)
    }
    child.stdout?.on('data', onData)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(stdout.includes('\n'))
    })
  })
  if (started) await new Promise((resolve) => setTimeout(resolve, ms))
  child.kill('SIGKILL')
  await closed
  if (!started) throw new Error(`the writer never committed a failure: ${stderr}`)
  const lines = stdout.split('\n')
  lines.pop() // the part after the last newline: empty, or a line cut short
  return { committed: Number(lines[lines.length - 1] ?? 0), stderr }
}
