/**
 * The locks of issue 15's defences in the operator's listing, on every handler (memory, SQLite,
 * PostgreSQL, MariaDB, Redis): a source locked by spray detection (kind `source`: its IP or IPv6
 * network and the distinct usernames it failed on) and a trusted device that failed its own limit
 * (kind `device`: the username and the device's id, never its cookie's nonce) are listed by
 * `lockedOut`, each lifted by one `unlock`; `resetAndReport` by IP lifts the IP's source lock (its
 * IPv6 network too) and says so; the database and Redis handlers' own `resetAttempts` by IP and of
 * everything forget the sources as well.
 */

import { afterAll, describe, expect, it } from 'vitest'
import { deviceCookies } from '../../src/core/device-cookies/index.js'
import { sprayDetection } from '../../src/core/spray-detection/index.js'
import { readableUsername } from '../../src/ground/devices.js'
import { databaseHandler } from '../../src/handlers/database/index.js'
import { redisHandler } from '../../src/handlers/redis/index.js'
import {
  type AxesHandler,
  type AxesRequest,
  createAxes,
  lockedOut,
  memoryHandler,
  resetAndReport,
  unlock,
} from '../../src/index.js'
import { ioredisClient, uniquePrefix } from '../handlers/redis/clients.js'
import { mysqlServerUrl, pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'

const SECRET = 'a-device-cookie-secret-of-32-chars+'
const SPRAYER = '203.0.113.9'

const redisUrl = redisServerUrl()
const redis = redisUrl === null ? null : ioredisClient(redisUrl)
afterAll(() => redis?.disconnect())

const server = async (url: string | null, kind: 'postgres' | 'mysql') => {
  if (url === null) return null
  const h = databaseHandler({ url: await createDatabase(url, kind), timeoutMs: 60_000 })
  await h.migrate()
  return h
}

/** Every handler that supports spray detection and device cookies, a fresh store each. */
const HANDLERS: [string, () => Promise<AxesHandler | null>][] = [
  ['memory', async () => memoryHandler()],
  [
    'SQLite',
    async () => {
      const h = databaseHandler({ url: 'sqlite::memory:' })
      await h.migrate()
      return h
    },
  ],
  ['PostgreSQL', () => server(pgServerUrl(), 'postgres')],
  ['MariaDB', () => server(mysqlServerUrl(), 'mysql')],
  [
    'Redis',
    async () =>
      redis === null ? null : redisHandler({ client: redis, prefix: uniquePrefix('dl') }),
  ],
]

function request(username: string, ip: string, cookie?: string): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: cookie ? { cookie } : {},
    socketAddress: ip,
    query: {},
    body: { username, password: 'x' },
  }
}

for (const [title, create] of HANDLERS) {
  describe(`the defences' locks on the ${title} handler`, () => {
    const make = async () => {
      const handler = await create()
      if (handler === null) return null
      const axes = createAxes({
        handler,
        logger: false,
        lockoutParameters: ['username'],
        failureLimit: 3,
        cooloffTime: '1h',
        sprayDetection: sprayDetection({ usernames: 3, cooloff: '30m' }),
        deviceCookies: deviceCookies({ secrets: SECRET }),
      })
      const attempt = (username: string, ip: string, ok = false, cookie?: string) => {
        const req = request(username, ip, cookie)
        return axes.protect(req, req.body as Record<string, string>, () => (ok ? 'user' : null))
      }
      const spray = async (ip: string, tag: string) => {
        for (let i = 0; i < 4; i++) await attempt(`${tag}${i}`, ip)
      }
      return { axes, attempt, spray }
    }

    it('lists a locked source and a locked device, and unlocks each in one step', async (context) => {
      const made = await make()
      if (made === null) return context.skip(`no ${title} server`)
      const { axes, attempt, spray } = made
      const first = await attempt('alice', '10.0.0.1', true)
      const cookie = (first.decision.setCookie ?? '').split(';')[0] as string
      const nonce = cookie.split('.')[1] as string
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)
      for (let i = 0; i < 3; i++) {
        expect((await attempt('alice', '10.0.0.1', false, cookie)).decision.trustedDevice).toBe(
          true,
        )
      }
      await spray(SPRAYER, 'sprayed')
      expect((await attempt('zed', SPRAYER)).decision.reason).toBe('sourceLocked')

      const locks = await lockedOut(axes)
      expect(locks.map((l) => l.kind).sort()).toEqual(['device', 'source'])
      const source = locks.find((l) => l.kind === 'source')
      const device = locks.find((l) => l.kind === 'device')
      expect(source).toMatchObject({
        id: `source:${SPRAYER}`,
        fields: { ip_address: SPRAYER },
        usernames: 4,
        failures: 0,
      })
      expect(source?.until).toBeGreaterThan(Date.now() + 29 * 60_000)
      expect(source?.since.getTime()).toBeLessThanOrEqual(Date.now())
      expect(readableUsername(device?.fields.username as string)).toMatch(
        /^alice \(device [0-9a-f]{8}…\)$/,
      )
      expect(device?.failures).toBe(3)
      // Nothing listed is any part of the cookie.
      expect(JSON.stringify(locks)).not.toContain(nonce)

      // The locked device is untrusted; unlocking it trusts it again.
      expect((await attempt('alice', '10.0.0.1', false, cookie)).decision.trustedDevice).toBe(
        undefined,
      )
      const deviceUnlock = await unlock(axes, device?.id as string)
      expect(deviceUnlock.lock?.kind).toBe('device')
      expect(deviceUnlock.removed).toBeGreaterThan(0)
      expect((await attempt('alice', '10.0.0.1', true, cookie)).decision.trustedDevice).toBe(true)

      const sourceUnlock = await unlock(axes, source?.id as string)
      expect(sourceUnlock).toEqual({ id: source?.id, lock: source, removed: 1 })
      expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
      expect(await lockedOut(axes)).toEqual([])
      expect(await unlock(axes, `source:${SPRAYER}`)).toMatchObject({ lock: null, removed: 1 })
      expect(await unlock(axes, 'source:192.0.2.99')).toMatchObject({ lock: null, removed: 0 })
    })

    it('lifts the source lock of an IP, and of its IPv6 network, on a reset by IP', async (context) => {
      const made = await make()
      if (made === null) return context.skip(`no ${title} server`)
      const { axes, attempt, spray } = made
      await spray(SPRAYER, 'v4-')
      for (let i = 0; i < 4; i++) await attempt(`v6-${i}`, `2001:db8:7::${i + 1}`)
      expect((await attempt('zed', '2001:db8:7::ffff')).decision.reason).toBe('sourceLocked')

      const username = await resetAndReport(axes, { username: 'v4-0' })
      expect(username.sources).toEqual([])
      const report = await resetAndReport(axes, { ip: SPRAYER })
      expect(report.sources.map((l) => l.id)).toEqual([`source:${SPRAYER}`])
      expect(report.remaining).toEqual([])
      expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
      const v6 = await resetAndReport(axes, { ip: '2001:db8:7::abcd' })
      expect(v6.sources.map((l) => [l.kind, l.fields.ip_address, l.usernames])).toEqual([
        ['source', '2001:db8:7::/64', 4],
      ])
      expect(await lockedOut(axes)).toEqual([])
    })

    it('reports a locked device of the user a username reset leaves in place', async (context) => {
      const made = await make()
      if (made === null) return context.skip(`no ${title} server`)
      const { axes, attempt } = made
      const first = await attempt('bob', '10.0.0.2', true)
      const cookie = (first.decision.setCookie ?? '').split(';')[0] as string
      for (let i = 0; i < 3; i++) await attempt('bob', '10.0.0.2', false, cookie)
      const report = await resetAndReport(axes, { username: 'bob' })
      expect(report.remaining.map((l) => l.kind)).toEqual(['device'])
    })

    it.runIf(title !== 'memory')(
      "forgets the sources in the handler's own resetAttempts (by IP, and of everything)",
      async (context) => {
        const made = await make()
        if (made === null) return context.skip(`no ${title} server`)
        const { axes, attempt, spray } = made
        await spray(SPRAYER, 'r')
        await axes.reset({ ip: SPRAYER })
        expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
        await spray('198.51.100.4', 's')
        await axes.reset()
        expect(await lockedOut(axes)).toEqual([])
      },
    )
  })
}
