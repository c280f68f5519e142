/**
 * Issue 15's defences end to end: real HTTP through every adapter's protectLogin (Express,
 * Fastify, Koa, Hono, node-axes/web) and the Passport example, on every handler (memory, SQLite,
 * PostgreSQL, MariaDB, Redis). An attacker from many IPs drives alice's username into lockout
 * under ['username'] while alice, with her device cookie, logs in at the first try; forged,
 * expired, other users' and locked cookies exempt nobody; one IP trying many usernames is locked
 * as a source after the configured number and adds no more buckets.
 */

import type { IncomingMessage, Server } from 'node:http'
import { serve } from '@hono/node-server'
import { afterAll, describe, expect, it } from 'vitest'
import { protectLogin as webLogin } from '../../../src/adapters/web/index.js'
import { deviceCookies } from '../../../src/core/device-cookies/index.js'
import { sprayDetection } from '../../../src/core/spray-detection/index.js'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import {
  type AxesHandler,
  type AxesOptions,
  createAxes,
  memoryHandler,
} from '../../../src/index.js'
import { ioredisClient, uniquePrefix } from '../../handlers/redis/clients.js'
import { mysqlServerUrl, pgServerUrl, redisServerUrl } from '../../support/inject-servers.js'
import { createDatabase } from '../../support/servers.js'
import { burstSize } from '../../support/thoroughness.js'
import { APPS, type App, checker, listenNode } from './login-apps.js'
import { USER } from './scenarios.js'

const SECRET = 'a-device-cookie-secret-of-32-chars+'
/** Attacker IPs and sprayed usernames: 1,000 under CI, 200 otherwise. */
const MANY = burstSize(1000)
const SPRAY_LIMIT = 20

/** What @hono/node-server passes a fetch handler after the request: Node's own request. */
type NodeEnv = { incoming: IncomingMessage }

/** The peer address on Node, as the application passes it (here through @hono/node-server). */
const nodeAddress = (_request: Request, env: NodeEnv) => env.incoming.socket.remoteAddress

const WEB_APP: App = {
  name: 'node-axes/web, protectLogin',
  json: true,
  start: async (axes, verify) => {
    const handler = webLogin(axes, (c) => verify(c.username, c.password), {
      clientAddress: nodeAddress,
      onSuccess: (_request, login) => new Response(`welcome ${String(login.user)}`),
    })
    return listenNode(
      serve({
        fetch: (request, env) => handler(request, env as NodeEnv),
        port: 0,
        hostname: '127.0.0.1',
      }) as Server,
    )
  },
}

const LOGIN_APPS = [
  ...APPS.filter((app) => app.name.includes('protectLogin') || app.name.startsWith('Passport')),
  WEB_APP,
]

const redisUrl = redisServerUrl()
const redis = redisUrl === null ? null : ioredisClient(redisUrl)
afterAll(() => redis?.disconnect())

/** Every handler, each a fresh store per app. */
const HANDLERS: [string, (() => Promise<AxesHandler>) | null][] = [
  ['memory', async () => memoryHandler()],
  [
    'SQLite',
    async () => {
      const h = databaseHandler({ url: 'sqlite::memory:' })
      await h.migrate()
      return h
    },
  ],
  ...(
    [
      ['PostgreSQL', 'postgres', pgServerUrl()],
      ['MariaDB', 'mysql', mysqlServerUrl()],
    ] as const
  ).map(([title, kind, server]): [string, (() => Promise<AxesHandler>) | null] => [
    title,
    server === null
      ? null
      : async () => {
          const h = databaseHandler({ url: await createDatabase(server, kind), timeoutMs: 60_000 })
          await h.migrate()
          return h
        },
  ]),
  [
    'Redis',
    redis === null ? null : async () => redisHandler({ client: redis, prefix: uniquePrefix('dv') }),
  ],
]

function options(handler: AxesHandler, extra: AxesOptions = {}): AxesOptions {
  return {
    handler,
    logger: false,
    lockoutParameters: ['username'],
    failureLimit: 3,
    cooloffTime: '1h',
    // The attackers' addresses come in X-Forwarded-For, as behind one trusted proxy.
    ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    ...extra,
  }
}

async function post(
  base: string,
  fields: { username: string; password: string },
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })
}

const WRONG = { username: USER.username, password: 'guess' }
const ip = (n: number) => `198.51.${Math.floor(n / 250)}.${(n % 250) + 1}`

for (const [title, create] of HANDLERS) {
  if (create === null) {
    describe.skip(`defences on ${title}: no server (apt-get install postgresql mariadb-server redis-server)`, () => {
      it('needs a server', () => {})
    })
    continue
  }
  describe(`defences on ${title}`, () => {
    for (const app of LOGIN_APPS) {
      it(`${app.name}: alice's device cookie lets her in while her username is locked by many IPs; other cookies do not`, async () => {
        const handler = await create()
        const cookies = deviceCookies({ secrets: SECRET, maxAge: '1d', secure: false })
        const axes = createAxes(options(handler, { deviceCookies: cookies }))
        const { verify } = checker()
        const started = await app.start(axes, verify)
        try {
          // Alice logs in once and keeps her device cookie; so does bob.
          const first = await post(started.base, USER, { 'x-forwarded-for': '203.0.113.7' })
          expect(first.status).toBeLessThan(400)
          const setCookie = first.headers.get('set-cookie') ?? ''
          expect(setCookie).toMatch(/^axes_device=v1\./)
          expect(setCookie).toContain('HttpOnly')
          expect(setCookie).toContain('SameSite=Lax')
          const aliceCookie = setCookie.split(';')[0] as string
          // The attacker, from many addresses.
          const statuses = new Set<number>()
          for (let n = 0; n < MANY; n += 50) {
            const batch = Array.from({ length: Math.min(50, MANY - n) }, (_, i) =>
              post(started.base, WRONG, { 'x-forwarded-for': ip(n + i) }).then((r) => r.status),
            )
            for (const status of await Promise.all(batch)) statuses.add(status)
          }
          expect(statuses.has(429) || statuses.has(403)).toBe(true)
          // alice's username is locked for everyone without her cookie...
          const plain = await post(started.base, USER, { 'x-forwarded-for': '203.0.113.7' })
          expect(plain.status).toBeGreaterThanOrEqual(400)
          // ...and with forged, expired and other users' cookies.
          const forged = (
            await deviceCookies({ secrets: 'x'.repeat(32) }).issue('alice', Date.now())
          ).setCookie.split(';')[0] as string
          const expired = (
            await cookies.issue('alice', Date.now() - 2 * 86_400_000)
          ).setCookie.split(';')[0] as string
          const bobs = (await cookies.issue('bob', Date.now())).setCookie.split(';')[0] as string
          for (const cookie of [forged, expired, bobs, `${aliceCookie}x`]) {
            const r = await post(started.base, USER, { cookie, 'x-forwarded-for': '203.0.113.7' })
            expect(r.status, cookie).toBeGreaterThanOrEqual(400)
          }
          // alice, with her cookie: in at the first try, with a new cookie.
          const alice = await post(started.base, USER, {
            cookie: `theme=dark; ${aliceCookie}`,
            'x-forwarded-for': '203.0.113.7',
          })
          expect(alice.status).toBeLessThan(400)
          expect(alice.headers.get('set-cookie')).toMatch(/^axes_device=v1\./)
        } finally {
          await started.close()
          await handler.close?.()
        }
      })
    }

    it('Express, protectLogin: a device that fails its own limit loses its trust', async () => {
      const handler = await create()
      const cookies = deviceCookies({ secrets: SECRET, secure: false })
      const axes = createAxes(options(handler, { deviceCookies: cookies }))
      const app = LOGIN_APPS.find((a) => a.name === 'Express, protectLogin') as App
      const started = await app.start(axes, checker().verify)
      try {
        const first = await post(started.base, USER)
        const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string
        for (let i = 0; i < 3; i++) await post(started.base, WRONG, { cookie })
        // The attacker locks the username too: the locked cookie exempts nobody.
        for (let i = 0; i < 3; i++) await post(started.base, WRONG, { 'x-forwarded-for': ip(i) })
        const replay = await post(started.base, USER, { cookie })
        expect(replay.status).toBe(429)
      } finally {
        await started.close()
        await handler.close?.()
      }
    })

    for (const app of LOGIN_APPS) {
      it(`${app.name}: one IP trying many usernames is locked as a source after ${SPRAY_LIMIT} and adds no more buckets`, async () => {
        const handler = await create()
        const axes = createAxes(
          options(handler, {
            lockoutParameters: [['username', 'ip_address']],
            sprayDetection: sprayDetection({ usernames: SPRAY_LIMIT, cooloff: '1h' }),
          }),
        )
        const detected: string[] = []
        axes.on('sprayDetected', (event) => detected.push(event.source))
        const { verify, calls } = checker()
        const started = await app.start(axes, verify)
        try {
          const from = { 'x-forwarded-for': '192.0.2.66' }
          const statuses: number[] = []
          for (let n = 0; n < MANY; n++) {
            const r = await post(started.base, { username: `user${n}`, password: 'guess' }, from)
            statuses.push(r.status)
          }
          expect(
            statuses.slice(0, SPRAY_LIMIT + 1).every((s) => s === 401 || s === 302 || s < 500),
          ).toBe(true)
          expect(statuses.slice(SPRAY_LIMIT + 1).every((s) => s === 429)).toBe(true)
          expect(detected).toEqual(['192.0.2.66'])
          // The password check ran for the first attempts only, and the store holds their buckets only.
          expect(calls.length).toBe(SPRAY_LIMIT + 1)
          const listed = await handler.listAttempts?.({ now: Date.now() })
          if (listed) expect(listed.length).toBe(SPRAY_LIMIT + 1)
          // Another source still logs in.
          const other = await post(started.base, USER, { 'x-forwarded-for': '192.0.2.77' })
          expect(other.status).toBeLessThan(400)
        } finally {
          await started.close()
          await handler.close?.()
        }
      })
    }
  })
}
