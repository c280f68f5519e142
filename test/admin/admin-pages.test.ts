// The admin pages through real HTTP (node:http mount), on the memory handler, a SQLite file and
// PostgreSQL: every page and action, authorize on every request, CSRF, escaping, and handlers
// without the admin's queries.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import {
  type Axes,
  AxesConfigError,
  type AxesHandler,
  type AxesOptions,
  createAxes,
  dummyHandler,
  memoryHandler,
} from 'node-axes'
import { createAdminHandler, escapeHtml } from 'node-axes/admin'
import { databaseHandler } from 'node-axes/database'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'
import { propertyRuns } from '../support/thoroughness.js'
import {
  type AdminServer,
  BASE,
  Client,
  fail,
  loginRequest,
  selectedIds,
  serveAdmin,
} from './support.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-admin-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const T0 = Date.UTC(2031, 4, 6, 12, 0, 0)
const XSS = '<script>alert(1)</script>'
const QUOTES = `"><img src=x onerror=alert(2)>'`
const RTL = 'evil\u202Egnp.exe'

type Target = { name: string; kind: 'memory' | 'sqlite' | 'postgres' | 'mysql' }
const TARGETS: Target[] = [
  { name: 'memory', kind: 'memory' },
  { name: 'SQLite', kind: 'sqlite' },
  { name: 'PostgreSQL', kind: 'postgres' },
  { name: 'MariaDB', kind: 'mysql' },
]

async function handlerFor(kind: Target['kind']): Promise<AxesHandler> {
  if (kind === 'memory') return memoryHandler()
  if (kind === 'sqlite') {
    return databaseHandler({
      url: `sqlite:${join(dir, `admin-${Math.random().toString(36).slice(2)}.sqlite3`)}`,
    })
  }
  const server = (kind === 'postgres' ? pgServerUrl() : mysqlServerUrl()) as string
  const handler = databaseHandler({ url: await createDatabase(server, kind) })
  await handler.migrate()
  return handler
}

describe.each(TARGETS)('admin pages ($name)', ({ kind }) => {
  const skip =
    (kind === 'postgres' && pgServerUrl() === null) ||
    (kind === 'mysql' && mysqlServerUrl() === null)
  let now = T0
  let axes: Axes
  let admin: AdminServer
  let client: Client
  const rows = kind !== 'memory'

  const start = async (options: AxesOptions = {}) => {
    axes = createAxes({
      handler: await handlerFor(kind),
      clock: () => now,
      failureLimit: 3,
      cooloffTime: '1h',
      lockoutParameters: [['ip_address', 'username', 'user_agent']],
      enableAccessFailureLog: true,
      ...options,
    })
    admin = await serveAdmin(axes)
    client = new Client(admin.url)
  }

  beforeEach(() => {
    now = T0
  })
  afterEach(async () => {
    await admin?.close()
    await axes?.close()
  })

  describe.skipIf(skip)('pages', () => {
    it('lists attempts with their status, search, filters, sorting and pages', async () => {
      await start()
      await fail(axes, { ip: '203.0.113.7', username: 'alice', path: '/login' }, 3)
      now += 60_000
      await fail(axes, { ip: '198.51.100.2', username: 'bob', path: '/api/login' }, 1)
      now += 60_000
      await fail(axes, { ip: '192.0.2.9', username: 'carol', userAgent: 'curl/8.0' }, 2)

      const list = await client.get(`${BASE}/attempts`)
      expect(list.status).toBe(200)
      expect(list.response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(list.response.headers.get('content-security-policy')).toContain("default-src 'none'")
      for (const value of ['203.0.113.7', 'alice', 'bob', 'carol', 'curl/8.0']) {
        expect(list.text).toContain(value)
      }
      expect(list.text).toContain('Locked out')
      expect(list.text).toContain('2 attempts remaining')
      expect(list.text).toContain('1 attempt remaining')
      // Newest first by default.
      expect(list.text.indexOf('carol')).toBeLessThan(list.text.indexOf('alice'))
      if (rows) expect(list.text).toContain('/api/login')

      const search = await client.get(`${BASE}/attempts?q=ALI`)
      expect(search.text).toContain('alice')
      expect(search.text).not.toContain('>bob<')
      const byIp = await client.get(`${BASE}/attempts?q=198.51`)
      expect(byIp.text).toContain('bob')
      expect(byIp.text).not.toContain('>alice<')
      const byAgent = await client.get(`${BASE}/attempts?q=curl`)
      expect(byAgent.text).toContain('carol')
      expect(byAgent.text).not.toContain('>alice<')

      const locked = await client.get(`${BASE}/attempts?locked=yes`)
      expect(locked.text).toContain('alice')
      expect(locked.text).not.toContain('>bob<')
      const unlocked = await client.get(`${BASE}/attempts?locked=no`)
      expect(unlocked.text).toContain('bob')
      expect(unlocked.text).not.toContain('>alice<')

      if (rows) {
        const byPath = await client.get(`${BASE}/attempts?path=%2Fapi%2Flogin`)
        expect(byPath.text).toContain('bob')
        expect(byPath.text).not.toContain('>alice<')
        expect(byPath.text).toContain('By path')
      }

      const oldest = await client.get(`${BASE}/attempts?o=attemptTime`)
      expect(oldest.text.indexOf('alice')).toBeLessThan(oldest.text.indexOf('carol'))
      const byFailures = await client.get(`${BASE}/attempts?o=-failures`)
      expect(byFailures.text.indexOf('alice')).toBeLessThan(byFailures.text.indexOf('bob'))

      // The time filters (the memory handler forgets buckets once expired; rows stay).
      if (rows) now += 2 * 86_400_000
      const today = await client.get(`${BASE}/attempts?time=today`)
      if (rows) expect(today.text).toContain('No attempts found.')
      else expect(today.text).toContain('alice')
      if (rows) expect((await client.get(`${BASE}/attempts?time=year`)).text).toContain('alice')
    })

    it('pages through attempts', async () => {
      await start()
      await admin.close()
      admin = await serveAdmin(axes, { pageSize: 2 })
      client = new Client(admin.url)
      for (let i = 0; i < 5; i++) {
        now += 1000
        await fail(axes, { ip: `10.0.0.${i + 1}`, username: `user${i}` })
      }
      const first = await client.get(`${BASE}/attempts`)
      expect(first.text).toContain('user4')
      expect(first.text).toContain('user3')
      expect(first.text).not.toContain('user2')
      expect(first.text).toContain('5 attempts')
      const third = await client.get(`${BASE}/attempts?p=3`)
      expect(third.text).toContain('user0')
      expect(third.text).not.toContain('user1')
    })

    it('shows one attempt with its masked form data and metadata', async () => {
      await start()
      await fail(
        axes,
        { ip: '203.0.113.7', username: 'alice', query: { next: '/home', password: 'x' } },
        2,
      )
      const list = await client.get(`${BASE}/attempts`)
      const [id] = selectedIds(list.text)
      expect(id).toBeDefined()
      const detail = await client.get(`${BASE}/attempts/${encodeURIComponent(id as string)}`)
      expect(detail.status).toBe(200)
      expect(detail.text).toContain('Form data')
      expect(detail.text).toContain('Meta data')
      expect(detail.text).toContain('1 attempt remaining')
      if (rows) {
        expect(detail.text).toContain('next&#61;/home')
        expect(detail.text).toContain('password&#61;********************')
        expect(detail.text).not.toContain('wrong-secret')
        expect(detail.text).toContain('text/html')
      } else expect(detail.text).toContain('not kept by the memory handler')
      const missing = await client.get(`${BASE}/attempts/999999`)
      expect(missing.status).toBe(404)
      expect(missing.text).toContain('No such attempt')
    })

    it('deletes selected attempts after a confirmation, with a CSRF token, and the lockout is gone', async () => {
      await start()
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
      await fail(axes, { ip: '198.51.100.2', username: 'bob' }, 1)
      const request = loginRequest({ ip: '203.0.113.7', username: 'alice' })
      expect((await axes.isAllowed(request, { username: 'alice' })).allowed).toBe(false)

      const list = await client.get(`${BASE}/attempts?q=alice`)
      const ids = selectedIds(list.text)
      expect(ids).toHaveLength(1)
      const token = Client.token(list.text)

      // No token, a wrong token, a token without its cookie, another site: refused.
      expect(
        (await client.post(`${BASE}/attempts/delete`, [['id', ids[0] as string]])).status,
      ).toBe(403)
      expect(
        (
          await client.post(`${BASE}/attempts/delete`, [
            ['id', ids[0] as string],
            ['csrf', 'x'.repeat(43)],
          ])
        ).status,
      ).toBe(403)
      const stranger = new Client(admin.url)
      const strangerPost = await stranger.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['csrf', token],
        ['confirm', 'yes'],
      ])
      expect(strangerPost.status).toBe(403)
      const crossSite = await client.post(
        `${BASE}/attempts/delete`,
        [
          ['id', ids[0] as string],
          ['csrf', token],
          ['confirm', 'yes'],
        ],
        { origin: 'https://evil.example' },
      )
      expect(crossSite.status).toBe(403)
      expect(crossSite.text).toContain('CSRF check failed')
      // GET never changes anything.
      const viaGet = await client.get(
        `${BASE}/attempts/delete?id=${encodeURIComponent(ids[0] as string)}&confirm=yes`,
      )
      expect(viaGet.status).toBe(405)
      expect((await axes.isAllowed(request, { username: 'alice' })).allowed).toBe(false)

      const confirm = await client.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['csrf', token],
      ])
      expect(confirm.status).toBe(200)
      expect(confirm.text).toContain('Delete these 1 attempt?')
      expect(confirm.text).toContain('alice')
      const done = await client.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['csrf', Client.token(confirm.text)],
        ['confirm', 'yes'],
      ])
      expect(done.status).toBe(303)
      const location = done.response.headers.get('location') as string
      expect(location).toBe(`${BASE}/attempts?done=deleted%3A1`)
      const after = await client.get(location)
      expect(after.text).toContain('1 attempt removed.')
      expect(after.text).not.toContain('>alice<')
      expect(after.text).toContain('bob')
      expect((await axes.isAllowed(request, { username: 'alice' })).allowed).toBe(true)
    })

    it('cleans up expired attempts', async () => {
      await start()
      await fail(axes, { ip: '198.51.100.2', username: 'bob' }, 1)
      now += 50 * 60_000
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 2)
      now += 40 * 60_000
      // bob's failure is past the one-hour cool-off, alice's are not.
      const list = await client.get(`${BASE}/attempts`)
      const cleaned = await client.post(`${BASE}/attempts/cleanup`, [
        ['csrf', Client.token(list.text)],
      ])
      expect(cleaned.status).toBe(303)
      expect(cleaned.response.headers.get('location')).toBe(`${BASE}/attempts?done=cleaned%3A1`)
      const after = await client.get(cleaned.response.headers.get('location') as string)
      expect(after.text).toContain('1 attempt removed (expired).')
      expect(after.text).toContain('alice')
      expect(after.text).not.toContain('>bob<')
      if (rows) expect(await axes.listAttempts()).toHaveLength(1)
      expect((await client.post(`${BASE}/attempts/cleanup`, [])).status).toBe(403)
    })

    it('shows the access logs and the access failure logs, read-only', async () => {
      await start()
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
      await axes.loggedIn(
        loginRequest({ ip: '198.51.100.2', username: 'bob', path: '/signin' }),
        'bob',
      )
      const logs = await client.get(`${BASE}/logs`)
      const failures = await client.get(`${BASE}/failure-logs`)
      expect(logs.status).toBe(200)
      expect(failures.status).toBe(200)
      if (!rows) {
        expect(logs.text).toContain('The memory handler keeps no access logs.')
        expect(failures.text).toContain('The memory handler keeps no access failure logs.')
        return
      }
      expect(logs.text).toContain('bob')
      expect(logs.text).toContain('/signin')
      expect(logs.text).not.toContain('name="csrf"')
      expect(failures.text).toContain('alice')
      expect(failures.text).toContain('3 logs')
      expect((await client.get(`${BASE}/failure-logs?locked=yes`)).text).toContain('1 log<')
      expect((await client.get(`${BASE}/failure-logs?q=bob`)).text).toContain('No logs found.')
      expect((await client.get(`${BASE}/logs?q=198.51`)).text).toContain('bob')
      expect((await client.get(`${BASE}/logs?path=%2Fnope`)).text).toContain('No logs found.')
      const post = await client.post(`${BASE}/logs`, [])
      expect(post.status).toBe(405)
    })

    it('shows the overview: a chart, current lockouts, top IPs and usernames', async () => {
      await start()
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
      now += 30 * 60_000
      await fail(axes, { ip: '198.51.100.2', username: 'bob' }, 1)
      const overview = await client.get(`${BASE}/`)
      expect(overview.status).toBe(200)
      expect(overview.text).toContain('<svg')
      expect(overview.text).toContain('Failures over time')
      expect(overview.text).toMatch(/<b>2<\/b>stored attempts/)
      expect(overview.text).toMatch(/<b class="locked">1<\/b>locked out now/)
      expect(overview.text).toMatch(/Top IP addresses[\s\S]*203\.0\.113\.7[\s\S]*198\.51\.100\.2/)
      expect(overview.text).toMatch(/Top usernames[\s\S]*alice[\s\S]*bob/)
      expect(overview.text).toMatch(/Current lockouts[\s\S]*alice[\s\S]*Top IP/)
      expect(overview.text).toContain('4 failures')
      const day = await client.get(`${BASE}/?range=24h`)
      expect(day.text).toContain('<strong>Past 24 hours</strong>')
      expect((await client.get(BASE)).status).toBe(200)
    })

    it('escapes hostile usernames and user agents everywhere', async () => {
      await start()
      await fail(axes, { ip: '203.0.113.7', username: XSS, userAgent: QUOTES }, 3)
      await fail(axes, { ip: '203.0.113.8', username: RTL, userAgent: `nul\0byte` }, 1)
      await axes.loggedIn(
        loginRequest({ ip: '203.0.113.9', username: XSS, userAgent: QUOTES }),
        XSS,
      )
      const pages = [
        `${BASE}/`,
        `${BASE}/attempts`,
        `${BASE}/logs`,
        `${BASE}/failure-logs`,
        `${BASE}/attempts?q=${encodeURIComponent(XSS)}`,
      ]
      const list = await client.get(`${BASE}/attempts`)
      for (const id of selectedIds(list.text))
        pages.push(`${BASE}/attempts/${encodeURIComponent(id)}`)
      for (const path of pages) {
        const page = (await client.get(path)).text
        expect(page).not.toContain('<script')
        expect(page).not.toContain('<img')
        expect(page).not.toContain('\u202E')
        expect(page).not.toContain('\0')
      }
      expect(list.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(list.text).toContain('evil\\u202egnp.exe')
      const search = await client.get(`${BASE}/attempts?q=${encodeURIComponent(XSS)}`)
      expect(search.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"')
      // Hostile values survive the trip through a form: the attempt can be deleted.
      const rtl = await client.get(`${BASE}/attempts?q=${encodeURIComponent('evil\u202E')}`)
      const ids = selectedIds(rtl.text)
      expect(ids).toHaveLength(1)
      const done = await client.post(`${BASE}/attempts/delete`, [
        ['id', ids[0] as string],
        ['csrf', Client.token(rtl.text)],
        ['confirm', 'yes'],
      ])
      expect(done.response.headers.get('location')).toBe(`${BASE}/attempts?done=deleted%3A1`)
      expect((await axes.listAttempts()).map((a) => a.username)).not.toContain(RTL)
    })

    it('runs authorize on every request', async () => {
      await start()
      const paths = [`${BASE}/`, `${BASE}/attempts`, `${BASE}/logs`, `${BASE}/nope`, '/elsewhere']
      for (const path of paths) await client.get(path)
      await client.post(`${BASE}/attempts/cleanup`, [])
      expect(admin.authorizations).toBe(paths.length + 1)
      const anonymous = new Client(admin.url)
      anonymous.cookies.clear()
      for (const path of paths) {
        const res = await anonymous.get(path)
        expect(res.status).toBe(403)
        expect(res.text).not.toContain('Access attempts')
      }
      expect((await anonymous.post(`${BASE}/attempts/cleanup`, [])).status).toBe(403)
      expect(admin.authorizations).toBe(2 * (paths.length + 1))
      expect((await client.get(`${BASE}/nope`)).status).toBe(404)
    })
  })
})

/** The contract's required methods and listAttempts of `inner`, under another name. */
function delegate(inner: AxesHandler, name: string): AxesHandler {
  return {
    name,
    shared: false,
    kind: 'custom',
    getFailures: (i) => inner.getFailures(i),
    reserve: (i) => inner.reserve(i),
    settle: (i) => inner.settle(i),
    recordFailure: (i) => inner.recordFailure(i),
    loggedIn: () => Promise.resolve(),
    loggedOut: () => Promise.resolve(),
    resetBuckets: (b) => inner.resetBuckets(b),
    resetAttempts: (f) => inner.resetAttempts(f),
    resetLogs: () => Promise.resolve(0),
    resetFailureLogs: () => Promise.resolve(0),
    listAttempts: (o) => (inner.listAttempts as NonNullable<AxesHandler['listAttempts']>)(o),
  }
}

describe('createAdminHandler', () => {
  it('refuses to start without authorize, and with a bad basePath', () => {
    const axes = createAxes({ handler: 'memory' })
    // @ts-expect-error authorize is required
    expect(() => createAdminHandler({ axes })).toThrow(AxesConfigError)
    expect(() => createAdminHandler({ axes, authorize: 'yes' as never })).toThrow(/authorize/)
    expect(() => createAdminHandler({ axes, authorize: () => true, basePath: 'admin' })).toThrow(
      /basePath/,
    )
    expect(() => createAdminHandler({ axes: {} as never, authorize: () => true })).toThrow(/axes/)
    expect(() => createAdminHandler({ axes, authorize: () => true, csrfSecret: 'short' })).toThrow(
      /csrfSecret/,
    )
  })

  it('puts a Sign out button in the header when signOutPath is set, and refuses a bad one', async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const withButton = createAdminHandler({ axes, authorize: () => true, signOutPath: '/logout' })
    const page = await (await withButton(new Request('http://x/'))).text()
    expect(page).toContain(
      '<form class="signout" method="post" action="/logout"><button>Sign out</button></form>',
    )
    const without = createAdminHandler({ axes, authorize: () => true })
    expect(await (await without(new Request('http://x/'))).text()).not.toContain(
      '<form class="signout"',
    )
    for (const bad of ['logout', '//evil.example/out', 'javascript:alert(1)', 5]) {
      expect(() =>
        createAdminHandler({ axes, authorize: () => true, signOutPath: bad as never }),
      ).toThrow(/signOutPath/)
    }
  })

  it('refuses an instance with enableAdmin: false (AXES_ENABLE_ADMIN = False)', () => {
    const off = createAxes({ handler: 'memory', enableAdmin: false })
    expect(() => createAdminHandler({ axes: off, authorize: () => true })).toThrow(/enableAdmin/)
    const on = createAxes({ handler: 'memory', enableAdmin: true })
    expect(typeof createAdminHandler({ axes: on, authorize: () => true })).toBe('function')
  })

  it('returns what authorize returns: a redirect to a login page', async () => {
    const axes = createAxes({ handler: 'memory' })
    const admin = createAdminHandler({
      axes,
      authorize: () =>
        new Response(null, { status: 302, headers: { location: '/login?next=/admin' } }),
    })
    const response = await admin(new Request('http://localhost/attempts'))
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/login?next=/admin')
    const throwing = createAdminHandler({
      axes,
      authorize: () => {
        throw new Error('session store down')
      },
    })
    const failed = await throwing(new Request('http://localhost/'))
    expect(failed.status).toBe(500)
    expect(await failed.text()).not.toContain('session store down')
  })

  it('degrades with a notice for handlers without the admin queries', async () => {
    // A handler that can only list (as a third-party one might).
    const listOnly = delegate(memoryHandler(), 'list-only')
    const axes = createAxes({
      handler: listOnly,
      failureLimit: 3,
      lockoutParameters: ['ip_address', 'username'],
    })
    await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
    const admin = await serveAdmin(axes)
    const client = new Client(admin.url)
    try {
      const list = await client.get(`${BASE}/attempts`)
      expect(list.status).toBe(200)
      expect(list.text).toContain('can only list its latest 1000 attempts')
      expect(list.text).toContain('203.0.113.7')
      expect(list.text).toContain('Locked out')
      expect(list.text).not.toContain('Delete selected')
      const overview = await client.get(`${BASE}/`)
      expect(overview.status).toBe(200)
      expect(overview.text).toContain('<svg')
      expect((await client.get(`${BASE}/logs`)).text).toContain(
        'The list-only handler keeps no access logs.',
      )
      expect((await client.get(`${BASE}/attempts/0`)).status).toBe(404)
    } finally {
      await admin.close()
    }

    const dummy = createAxes({ handler: dummyHandler() })
    const admin2 = await serveAdmin(dummy)
    try {
      const client2 = new Client(admin2.url)
      for (const path of ['/', '/attempts', '/logs', '/failure-logs']) {
        const page = await client2.get(`${BASE}${path}`)
        expect(page.status).toBe(200)
        expect(page.text).toMatch(/The dummy handler (keeps no|can only list)/)
      }
    } finally {
      await admin2.close()
    }
  })

  it('takes only small urlencoded forms, answers HEAD, and says when it cannot judge lockouts', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: () => 3 })
    await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
    const admin = createAdminHandler({ axes, authorize: () => true })
    const post = (body: string, type: string) =>
      admin(
        new Request('http://localhost/attempts/cleanup', {
          method: 'POST',
          headers: { 'content-type': type },
          body,
        }),
      )
    expect((await post('{"csrf":"x"}', 'application/json')).status).toBe(415)
    expect(
      (await post(`csrf=${'x'.repeat(70_000)}`, 'application/x-www-form-urlencoded')).status,
    ).toBe(413)
    const head = await admin(new Request('http://localhost/attempts', { method: 'HEAD' }))
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect((await admin(new Request('http://localhost/attempts', { method: 'PUT' }))).status).toBe(
      405,
    )
    const overview = await (await admin(new Request('http://localhost/'))).text()
    expect(overview).toMatch(/Current lockouts[\s\S]*203\.0\.113\.7/)
    // With a failure-limit function there is no one rule: the filter says so.
    const page = await (await admin(new Request('http://localhost/attempts?locked=yes'))).text()
    expect(page).toContain('the locked-out filter cannot judge stored attempts')
    expect(page).toContain('203.0.113.7')
  })

  it('accepts a POST behind a proxy that names the host, and refuses other sites', async () => {
    const axes = createAxes({ handler: 'memory' })
    const server = await serveAdmin(axes)
    try {
      const client = new Client(server.url)
      const page = await client.get(`${BASE}/attempts`)
      const form: [string, string][] = [['csrf', Client.token(page.text)]]
      const proxied = await client.post(`${BASE}/attempts/cleanup`, form, {
        origin: 'https://admin.example.com',
        'x-forwarded-host': 'admin.example.com',
      })
      expect(proxied.status).toBe(303)
      const sameHost = await client.post(`${BASE}/attempts/cleanup`, form, {
        origin: server.url,
        'sec-fetch-site': 'same-origin',
      })
      expect(sameHost.status).toBe(303)
      const refusals: Record<string, string>[] = [
        { origin: 'https://admin.example.com' },
        { origin: 'null' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'cross-site' },
      ]
      for (const headers of refusals) {
        expect((await client.post(`${BASE}/attempts/cleanup`, form, headers)).status).toBe(403)
      }
    } finally {
      await server.close()
    }
  })

  it("rejects the instance's admin calls on a handler without them", async () => {
    const axes = createAxes({ handler: dummyHandler() })
    const calls = [
      () => axes.queryAttempts({ offset: 0, limit: 10 }),
      () => axes.getAttempt('1'),
      () => axes.deleteAttempts(['1']),
      () => axes.cleanExpiredAttempts(),
      () => axes.queryAccessLogs({ offset: 0, limit: 10 }),
      () => axes.queryFailureLogs({ offset: 0, limit: 10 }),
      () => axes.attemptStats({ since: 0, stepMs: 1000, steps: 2, top: 3 }),
    ]
    for (const call of calls) {
      const pending = call()
      expect(pending).toBeInstanceOf(Promise)
      await expect(pending).rejects.toMatchObject({ code: 'AXES_NOT_SUPPORTED' })
    }
  })

  it('answers a failing store with an error page, not a stack trace', async () => {
    // A handler the admin can browse (all five methods: capability `browse`), whose query fails.
    const inner = memoryHandler()
    const broken: AxesHandler = {
      ...delegate(inner, 'broken'),
      queryAttempts: () => Promise.reject(new Error('connection refused')),
      getAttempt: (id, options) => inner.getAttempt(id, options),
      deleteAttempts: (ids) => inner.deleteAttempts(ids),
      cleanExpiredAttempts: (options) => inner.cleanExpiredAttempts(options),
      attemptStats: () => Promise.reject(new Error('connection refused')),
    }
    const axes = createAxes({ handler: broken })
    const admin = createAdminHandler({ axes, authorize: () => true })
    const response = await admin(new Request('http://localhost/attempts'))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).toContain('The broken handler failed: connection refused')
    expect(text).not.toContain('at ')
  })

  it('never lets a stored username or user agent through unescaped (property)', async () => {
    const axes = createAxes({
      handler: 'memory',
      lockoutParameters: [['username', 'user_agent']],
      failureLimit: 2,
    })
    const admin = createAdminHandler({ axes, authorize: () => true })
    // Each value is wrapped in markers: escaped, the marked text cannot appear as it is. (Tabs and
    // line breaks are harmless in HTML text and stay.)
    const special =
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the probe
      /[<>"'&`=\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40, unit: 'binary' }),
        fc.string({ maxLength: 40, unit: 'binary' }),
        async (name, agent) => {
          await axes.reset()
          const username = `zq${name}qz`
          const request = loginRequest({ ip: '203.0.113.7', username, userAgent: `zq${agent}qz` })
          await axes.loginFailed(request, { username })
          const page = await (await admin(new Request('http://localhost/attempts'))).text()
          const stored = (await axes.listAttempts())[0]
          for (const value of [stored?.username, stored?.userAgent]) {
            if (!value) continue
            expect(page).toContain(escapeHtml(value))
            if (special.test(value)) expect(page.includes(value)).toBe(false)
          }
          // The page's only tags are the admin's own.
          expect(page).not.toMatch(
            /<(?!\/?(?:!doctype|html|head|meta|title|style|body|header|strong|nav|a|main|h1|h2|h3|p|form|input|button|div|table|thead|tbody|tr|th|td|span|aside|ul|li)\b)/i,
          )
        },
      ),
      { numRuns: propertyRuns(10_000) },
    )
  }, 180_000)
})

describe('admin pages without one rule (database handler)', () => {
  it('lists no row as a current lockout when the limit depends on the request', async () => {
    const axes = createAxes({
      handler: databaseHandler({ url: 'sqlite::memory:' }),
      failureLimit: () => 3,
    })
    try {
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 1)
      const admin = createAdminHandler({ axes, authorize: () => true })
      const overview = await (await admin(new Request('http://localhost/'))).text()
      expect(overview).toContain('Nobody is locked out.')
      expect(overview).toMatch(/<b class="">—<\/b>locked out now/)
      const list = await (await admin(new Request('http://localhost/attempts'))).text()
      expect(list).toContain('203.0.113.7')
      expect(list).toContain('<span class="muted">—</span></td></tr>')
    } finally {
      await axes.close()
    }
  })
})

describe('admin pages with useAttemptExpiration (database handler)', () => {
  it('shows the expiration column and cleans up by it', async () => {
    let now = T0
    const axes = createAxes({
      handler: databaseHandler({ url: 'sqlite::memory:' }),
      clock: () => now,
      failureLimit: 3,
      cooloffTime: '1h',
      useAttemptExpiration: true,
    })
    const server = await serveAdmin(axes)
    try {
      await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 1)
      const client = new Client(server.url)
      const list = await client.get(`${BASE}/attempts`)
      expect(list.text).toContain('>Expiration<')
      expect(list.text).toContain('2031-05-06 13:00:00 UTC')
      now += 61 * 60_000
      const cleaned = await client.post(`${BASE}/attempts/cleanup`, [
        ['csrf', Client.token(list.text)],
      ])
      expect(cleaned.response.headers.get('location')).toBe(`${BASE}/attempts?done=cleaned%3A1`)
      expect(await axes.listAttempts()).toEqual([])
    } finally {
      await server.close()
      await axes.close()
    }
  })
})
