/**
 * One scenario table, run against every framework adapter over real HTTP. Each adapter's test file
 * gives a factory that starts its framework's login app on an ephemeral port; the table plays the
 * same requests and expects the same answers from all of them.
 */

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { type Axes, type AxesOptions, createAxes, type TestHandler } from '../../../src/index.js'
import { burstSize } from '../../support/thoroughness.js'

/** Parallel wrong passwords in the exactness case: 500 under CI. */
const BURST = burstSize(500)

/** The demo user every app accepts. */
export const USER = { username: 'alice', password: 'wonderland' }

/** What an app factory is given. */
export interface AppSetup {
  axes: Axes
  /** The application's password check; counts its calls. */
  verify: (credentials: { username: string; password: string }) => Promise<string | null>
  /** Set the framework's own trust-proxy setting. */
  trustProxy: boolean
  /** Use the framework's own view rendering for lockouts, where it has one. */
  view: boolean
}

/** A started app. */
export interface StartedApp {
  /** `http://127.0.0.1:port` */
  base: string
  close(): Promise<void>
}

/** An adapter under test. */
export interface AdapterUnderTest {
  name: string
  start(setup: AppSetup): Promise<StartedApp>
  /** The framework renders lockout views itself (Express `res.render`): the view's body starts with `view:`. */
  hasViews: boolean
  /** The framework has a trust-proxy setting (checked by axes.W013). */
  hasTrustProxy: boolean
}

/**
 * The body every app's view engine renders for a lockout: `view: locked <username>
 * <failure_count>/<failure_limit>`; the core's `lockoutTemplate` below renders `template: …`.
 */
const TEMPLATE = (c: { username: string; failure_count: number; failure_limit: number }) =>
  `<p>template: locked ${c.username} ${c.failure_count}/${c.failure_limit}</p>`

const COOLOFF_MESSAGE = 'Account locked: too many login attempts. Please try again later.'

/** The fields of a response's Vary header, lower-cased and sorted. */
function varyOf(response: Response): string[] {
  return (response.headers.get('vary') ?? '')
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter(Boolean)
    .sort()
}

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at /)
  expect(text).not.toMatch(/node_modules|\.ts:\d+/)
}

/** Runs the scenario table against one adapter. */
export function runAdapterScenarios(adapter: AdapterUnderTest): void {
  describe(`${adapter.name}: the adapter scenarios`, () => {
    let app: StartedApp | null = null
    let calls = 0
    let now = Date.parse('2026-01-01T00:00:00Z')
    const dirs: string[] = []

    afterEach(async () => {
      await app?.close()
      app = null
    })
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    })

    async function start(
      options: AxesOptions,
      extra: Partial<Pick<AppSetup, 'trustProxy' | 'view' | 'verify'>> = {},
    ) {
      calls = 0
      now = Date.parse('2026-01-01T00:00:00Z')
      const axes = createAxes({
        handler: 'memory',
        failureLimit: 3,
        cooloffTime: '1m',
        logger: false,
        clock: () => now,
        ...options,
      })
      const verify =
        extra.verify ??
        (async ({ username, password }: { username: string; password: string }) => {
          calls++
          return username === USER.username && password === USER.password ? username : null
        })
      app = await adapter.start({
        axes,
        verify,
        trustProxy: extra.trustProxy ?? false,
        view: extra.view ?? false,
      })
      return { axes, base: app.base }
    }

    const login = (
      base: string,
      password: string,
      headers: Record<string, string> = {},
      username = USER.username,
    ) =>
      fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ username, password }),
        redirect: 'manual',
      })

    async function lockOut(base: string, headers: Record<string, string> = {}) {
      for (let i = 0; i < 2; i++) {
        const res = await login(base, 'wrong', headers)
        expect(res.status).toBe(401)
        await res.text()
      }
      return login(base, 'wrong', headers)
    }

    it('counts failures, answers the one that reaches the limit with the lockout, then refuses without verifying', async () => {
      const { base } = await start({})
      const first = await login(base, 'wrong')
      expect(first.status).toBe(401)
      expect(await first.text()).toBe('Invalid username or password.')
      const json = await login(base, 'wrong', { accept: 'application/json' })
      expect(json.status).toBe(401)
      expect(await json.json()).toEqual({ error: 'Invalid username or password.', remaining: 1 })
      const third = await login(base, 'wrong')
      expect(third.status).toBe(429)
      expect(third.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(third.headers.get('cache-control')).toBe('no-store')
      expect(await third.text()).toBe(COOLOFF_MESSAGE)
      expect(calls).toBe(3)
      const right = await login(base, USER.password)
      expect(right.status).toBe(429)
      await right.text()
      expect(calls).toBe(3)
    })

    it('lets the right password through to the route handler', async () => {
      const { base } = await start({})
      const res = await login(base, USER.password)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('welcome alice')
    })

    it('answers XHR with the JSON context and CORS headers, Accept: JSON without CORS', async () => {
      const { base } = await start({ enableRetryAfterHeader: true })
      const locked = await lockOut(base, { 'x-requested-with': 'XMLHttpRequest' })
      expect(locked.status).toBe(429)
      expect(locked.headers.get('content-type')).toMatch(/^application\/json/)
      expect(locked.headers.get('access-control-allow-origin')).toBe('*')
      expect(locked.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
      expect(locked.headers.get('retry-after')).toBe('60')
      expect(await locked.json()).toEqual({
        failure_limit: 3,
        failure_count: 3,
        username: 'alice',
        cooloff_time: 'PT1M',
        cooloff_timedelta: 'P0DT00H01M00S',
      })
      const api = await login(base, USER.password, { accept: 'application/json' })
      expect(api.status).toBe(429)
      expect(api.headers.get('access-control-allow-origin')).toBeNull()
      expect(await api.json()).toMatchObject({ username: 'alice', failure_limit: 3 })
    })

    it('answers an XHR lockout with the Origin when allowedCorsOrigins lists it, and no grant to a foreign origin', async () => {
      const { base } = await start({
        allowedCorsOrigins: ['https://app.example', 'https://admin.example'],
      })
      const xhr = { 'x-requested-with': 'XMLHttpRequest' }
      const allowed = await lockOut(base, { ...xhr, origin: 'https://admin.example' })
      expect(allowed.status).toBe(429)
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example')
      expect(allowed.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS')
      expect(varyOf(allowed)).toEqual(['accept-language', 'origin'])
      expect(await allowed.json()).toMatchObject({ username: 'alice', failure_count: 3 })
      const foreign = await login(base, 'wrong', { ...xhr, origin: 'https://evil.example' })
      expect(foreign.status).toBe(429)
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull()
      expect(foreign.headers.get('access-control-allow-methods')).toBeNull()
      expect(varyOf(foreign)).toEqual(['accept-language', 'origin'])
      expect(await foreign.json()).toMatchObject({ username: 'alice' })
    })

    it('redirects to lockoutUrl with the username', async () => {
      const { base } = await start({ lockoutUrl: '/locked-out' })
      const res = await lockOut(base, {})
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe('/locked-out?username=alice')
      await res.text()
    })

    it('renders the lockout template (the framework view where there is one)', async () => {
      const { base } = await start({ lockoutTemplate: TEMPLATE }, { view: true })
      const res = await lockOut(base)
      expect(res.status).toBe(429)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const body = await res.text()
      expect(body).toContain(
        adapter.hasViews ? 'view: locked alice 3/3' : 'template: locked alice 3/3',
      )
      // JSON clients still get JSON.
      const json = await login(base, USER.password, { accept: 'application/json' })
      expect(await json.json()).toMatchObject({ username: 'alice' })
    })

    it('answers with the lockoutCallable response, as it is', async () => {
      const { base } = await start({
        lockoutCallable: (_request, { decision, context }) => ({
          status: 418,
          headers: { 'content-type': 'application/json', 'x-locked': 'yes' },
          body: JSON.stringify({ custom: true, user: context.username, reason: decision.reason }),
        }),
      })
      const res = await lockOut(base)
      expect(res.status).toBe(418)
      expect(res.headers.get('x-locked')).toBe('yes')
      expect(await res.json()).toEqual({ custom: true, user: 'alice', reason: 'lockedOut' })
    })

    it('answers 429 by default and a configured httpResponseCode (403)', async () => {
      const { base } = await start({ httpResponseCode: 403, enableRetryAfterHeader: true })
      const res = await lockOut(base)
      expect(res.status).toBe(403)
      expect(res.headers.get('retry-after')).toBe('60')
      expect(await res.text()).toBe(COOLOFF_MESSAGE)
    })

    it('lets the client in again once the cool-off has passed', async () => {
      const { base } = await start({})
      expect((await lockOut(base)).status).toBe(429)
      now += 30_000
      expect((await login(base, USER.password)).status).toBe(429)
      now += 61_000
      const res = await login(base, USER.password)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('welcome alice')
    })

    it('resets the failures on a successful login', async () => {
      const { base } = await start({ resetOnSuccess: true })
      for (let i = 0; i < 2; i++) expect((await login(base, 'wrong')).status).toBe(401)
      expect((await login(base, USER.password)).status).toBe(200)
      for (let i = 0; i < 2; i++) expect((await login(base, 'wrong')).status).toBe(401)
      expect((await login(base, 'wrong')).status).toBe(429)
    })

    it('never locks a whitelisted IP', async () => {
      const { base } = await start({ ipWhitelist: ['127.0.0.1'], neverLockoutWhitelist: true })
      for (let i = 0; i < 5; i++) expect((await login(base, 'wrong')).status).toBe(401)
      expect((await login(base, USER.password)).status).toBe(200)
    })

    it('refuses a blacklisted IP at once, without verifying', async () => {
      const { base } = await start({ ipBlacklist: ['127.0.0.0/8'] })
      const res = await login(base, USER.password)
      expect(res.status).toBe(429)
      expect(await res.text()).toBe(
        'Account locked: too many login attempts. Contact an admin to unlock your account.',
      )
      expect(calls).toBe(0)
    })

    it('ignores a spoofed X-Forwarded-For by default', async () => {
      const { base } = await start({
        lockoutParameters: ['ip_address'],
        silencedChecks: ['axes.W009'],
      })
      for (let i = 0; i < 2; i++) {
        expect((await login(base, 'wrong', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(
          401,
        )
      }
      const res = await login(base, 'wrong', { 'x-forwarded-for': '198.51.100.99' })
      expect(res.status).toBe(429)
    })

    it('honours X-Forwarded-For when a proxy count is configured', async () => {
      const { axes, base } = await start(
        {
          lockoutParameters: ['ip_address'],
          ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
          ipwareProxyCount: 0,
        },
        { trustProxy: true },
      )
      for (let i = 0; i < 5; i++) {
        expect((await login(base, 'wrong', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(
          401,
        )
      }
      expect((await lockOut(base, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429)
      expect(axes.check().map((c) => c.id)).not.toContain('axes.W013')
    })

    if (adapter.hasTrustProxy) {
      it('reports axes.W013 when the framework trusts a proxy and node-axes does not', async () => {
        const { axes, base } = await start({}, { trustProxy: true })
        expect((await login(base, 'wrong')).status).toBe(401)
        const check = axes.check().find((c) => c.id === 'axes.W013')
        expect(check?.message).toMatch(/trusts a proxy/)
      })

      it('reports axes.W013 when node-axes reads a header the framework does not trust', async () => {
        const { axes, base } = await start({
          ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
          ipwareProxyCount: 0,
        })
        expect((await login(base, 'wrong')).status).toBe(401)
        const check = axes.check().find((c) => c.id === 'axes.W013')
        expect(check?.message).toMatch(/trusts no proxy/)
      })

      it('reports no axes.W013 by default', async () => {
        const { axes, base } = await start({})
        expect((await login(base, 'wrong')).status).toBe(401)
        expect(axes.check().map((c) => c.id)).not.toContain('axes.W013')
      })
    }

    it(`lets ${BURST} parallel wrong passwords reach the verifier exactly failureLimit times (SQLite)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'axes-adapter-'))
      dirs.push(dir)
      const handler = databaseHandler({ url: `sqlite:${join(dir, 'axes.sqlite3')}` })
      let verified = 0
      const { base } = await start(
        { handler, failureLimit: 5, lockoutParameters: [['username', 'ip_address']] },
        {
          verify: async () => {
            verified++
            await sleep(5)
            return null
          },
        },
      )
      try {
        const responses = await Promise.all(
          Array.from({ length: BURST }, async () => {
            const res = await login(base, 'wrong')
            await res.arrayBuffer()
            return res.status
          }),
        )
        expect(verified).toBe(5)
        expect(responses.filter((s) => s === 401)).toHaveLength(4)
        expect(responses.filter((s) => s === 429)).toHaveLength(BURST - 4)
      } finally {
        await app?.close()
        app = null
        await handler.close()
      }
    })

    it('answers bad input cleanly', async () => {
      const { base } = await start({ failureLimit: 100 })
      const post = (type: string, body: string | Uint8Array) =>
        fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': type }, body })

      const malformed = await post('application/json', '{"username": ')
      expect(malformed.status).toBe(400)
      noStack(await malformed.text())

      const notObject = await post('application/json', '["alice", "wonderland"]')
      expect([400, 401]).toContain(notObject.status)
      noStack(await notObject.text())

      const hostile = await post(
        'application/json',
        '{"username": {"$gt": ""}, "password": ["a", "b"], "__proto__": {"admin": true}}',
      )
      // Fastify and the Koa body parser refuse a __proto__ key (400); the others count a failure.
      expect([400, 401]).toContain(hostile.status)
      noStack(await hostile.text())

      const nul = await post(
        'application/json',
        JSON.stringify({ username: 'a\u0000b', password: 'x' }),
      )
      expect(nul.status).toBe(401)
      await nul.text()

      const missing = await post('application/x-www-form-urlencoded', 'password=x')
      expect(missing.status).toBe(401)
      noStack(await missing.text())

      const empty = await post('application/x-www-form-urlencoded', '')
      expect(empty.status).toBe(401)
      await empty.text()

      const huge = await post(
        'application/x-www-form-urlencoded',
        `username=${'a'.repeat(1024 * 1024)}&password=x`,
      )
      expect(huge.status).toBe(413)
      noStack(await huge.text())

      const bytes = await post(
        'application/x-www-form-urlencoded',
        Uint8Array.from([
          ...Buffer.from('username='),
          0xff,
          0xfe,
          0x00,
          ...Buffer.from('&password=%ff'),
        ]),
      )
      expect(bytes.status).toBe(401)
      noStack(await bytes.text())

      const jsonBytes = await post(
        'application/json',
        Uint8Array.from([...Buffer.from('{"username":"'), 0xc3, 0x28, ...Buffer.from('"}')]),
      )
      expect([400, 401]).toContain(jsonBytes.status)
      noStack(await jsonBytes.text())

      // None of it crashed the app.
      expect((await login(base, USER.password)).status).toBe(200)
    })
  })
}

const postForm = (
  base: string,
  path: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  })

/**
 * Plays login code of the application's own against `POST /login` (failureLimit 2): it reserves
 * through the per-request API, answers `N left` for a failure and renders refusals with the
 * adapter's `sendLockout`.
 */
export async function playOwnLoginCode(base: string, axes: Axes): Promise<void> {
  const first = await postForm(base, '/login', { username: 'alice', password: 'x' })
  expect(await first.text()).toBe('1 left')
  const second = await postForm(base, '/login', { username: 'alice', password: 'x' })
  expect(second.status).toBe(429)
  await second.text()
  const right = await postForm(base, '/login', USER, { 'x-requested-with': 'XMLHttpRequest' })
  expect(right.status).toBe(429)
  expect(await right.json()).toMatchObject({ failure_limit: 2, username: 'alice' })
  expect(axes.check().map((c) => c.id)).not.toContain('axes.W002')
}

/**
 * Logs in (`POST /login`, answering the session id) and out (`POST /logout`, calling `loggedOut`
 * and answering the session id) and checks that both access-log calls carry the id's SHA-256.
 */
export async function playSessionLogin(base: string, handler: TestHandler): Promise<void> {
  const res = await postForm(base, '/login', USER)
  expect(res.status).toBe(200)
  const sid = await res.text()
  expect(sid).not.toBe('')
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  expect(await (await postForm(base, '/logout', {}, { cookie })).text()).toBe(sid)
  const hash = createHash('sha256').update(sid).digest('hex')
  for (const method of ['loggedIn', 'loggedOut']) {
    expect(handler.calls.find((c) => c.method === method)?.input).toMatchObject({
      username: 'alice',
      sessionHash: hash,
    })
  }
}

/** A started app around a listening `node:http` server (one that `listen(0, '127.0.0.1')` returned). */
export async function startedServer(server: Server): Promise<StartedApp> {
  if (!server.listening) {
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  }
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** One app per test, closed after it: `use(await …)` registers the started app. */
export function eachApp(): { use(app: StartedApp): StartedApp } {
  let started: StartedApp | null = null
  afterEach(async () => {
    await started?.close()
    started = null
  })
  return {
    use(app) {
      started = app
      return app
    },
  }
}

/** A multipart body with a mixed-case boundary, as browsers send them. */
export function browserMultipart(fields: Record<string, string>): { type: string; body: string } {
  const boundary = '----WebKitFormBoundaryAbCdEfGh12345678'
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: `${parts.join('')}--${boundary}--\r\n`,
  }
}
