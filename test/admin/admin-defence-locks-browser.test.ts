// Issue 15's locks on "Locked out now" in Chromium, on every handler (SQLite, PostgreSQL, MariaDB,
// Redis, memory): a source locked by spray detection and a trusted device that failed its own limit
// are listed (the source with the usernames it failed on, the device by its user and a short id,
// never its cookie), the device's rows read "alice (device 3f2a…)" on the attempts page, and one
// press of Unlock lifts each. Screenshot in test-results/admin/locks-source-device.png.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { AxesHandler, AxesRequest } from 'node-axes'
import { type Axes, createAxes, memoryHandler } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { deviceCookies } from 'node-axes/device-cookies'
import { redisHandler } from 'node-axes/redis'
import { sprayDetection } from 'node-axes/spray-detection'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'
import { BASE, serveAdmin } from './support.js'

const CHROMIUM = '/usr/bin/chromium'
const SHOTS = join(process.cwd(), 'test-results', 'admin')
const present = existsSync(CHROMIUM)
if (!present && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`)
}

const SPRAYER = '198.51.100.23'
const dir = mkdtempSync(join(tmpdir(), 'node-axes-admin-defences-'))
const pg = pgServerUrl()
const mysql = mysqlServerUrl()
const redis = redisServerUrl()
const clients: Redis[] = []

const stores: [string, boolean, () => Promise<AxesHandler>][] = [
  ['SQLite', true, async () => databaseHandler({ url: `sqlite:${join(dir, 'axes.sqlite3')}` })],
  [
    'PostgreSQL',
    pg !== null,
    async () =>
      databaseHandler({ url: await createDatabase(pg as string, 'postgres'), autoMigrate: true }),
  ],
  [
    'MariaDB',
    mysql !== null,
    async () =>
      databaseHandler({ url: await createDatabase(mysql as string, 'mysql'), autoMigrate: true }),
  ],
  [
    'Redis',
    redis !== null,
    async () => {
      const client = new Redis(redis as string)
      clients.push(client)
      return redisHandler({ client, prefix: `defence-locks-${process.pid}:` })
    },
  ],
  ['memory', true, async () => memoryHandler()],
]

const request = (username: string, ip: string, cookie?: string): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'Mozilla/5.0 Firefox/133', ...(cookie ? { cookie } : {}) },
  socketAddress: ip,
  body: { username, password: 'x' },
})

describe.skipIf(!present)('source and device locks on Locked out now, in Chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    for (const client of clients) client.disconnect()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const [name, available, create] of stores) {
    it.skipIf(!available)(
      `${name}: a sprayed source and a locked device, each lifted by one Unlock`,
      async () => {
        const axes: Axes = createAxes({
          handler: await create(),
          logger: false,
          lockoutParameters: ['username'],
          failureLimit: 3,
          cooloffTime: '1h',
          sprayDetection: sprayDetection({ usernames: 3, cooloff: '30m' }),
          deviceCookies: deviceCookies({ secrets: 'a-device-cookie-secret-of-32-chars+' }),
        })
        const attempt = (username: string, ip: string, ok = false, cookie?: string) => {
          const req = request(username, ip, cookie)
          return axes.protect(req, req.body as Record<string, string>, () => (ok ? 'u' : null))
        }
        const admin = await serveAdmin(axes)
        const context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
        try {
          const first = await attempt('alice', '10.0.0.1', true)
          const cookie = (first.decision.setCookie ?? '').split(';')[0] as string
          const nonce = cookie.split('.')[1] as string
          for (let i = 0; i < 3; i++) await attempt('alice', '10.0.0.1', false, cookie)
          for (let i = 0; i < 4; i++) await attempt(`sprayed${i}`, SPRAYER)
          expect((await attempt('zed', SPRAYER)).decision.reason).toBe('sourceLocked')

          const url = new URL(admin.url)
          await context.addCookies([
            { name: 'demo_staff', value: 'yes', domain: url.hostname, path: '/' },
          ])
          const page = await context.newPage()
          // The device's rows name alice and a short device id, not the stored bucket name.
          await page.goto(`${admin.url}${BASE}/attempts`)
          const attempts = (await page.locator('tbody').textContent()) as string
          expect(attempts).toMatch(/alice \(device [0-9a-f]{8}…\)/)
          expect(attempts).not.toContain('axes-device:')

          await page.getByRole('link', { name: 'Locked out now' }).click()
          const rows = page.locator('tbody tr')
          expect(await rows.count()).toBe(2)
          const source = (await rows.filter({ hasText: 'source' }).textContent()) as string
          expect(source).toContain(`source ${SPRAYER} (4 usernames)`)
          expect(source).toContain('Spray detection: failed on 4 distinct usernames')
          const device = (await rows.filter({ hasText: 'device' }).textContent()) as string
          const short = /device ([0-9a-f]{8})… of username alice/.exec(device)?.[1]
          expect(short).toBeDefined()
          expect(await page.content()).not.toContain(nonce)
          if (name === 'SQLite') {
            await page.screenshot({ path: join(SHOTS, 'locks-source-device.png'), fullPage: true })
          }

          await page.getByRole('button', { name: `Unlock source ${SPRAYER} (4 usernames)` }).click()
          await expect(page.locator('p.notice').textContent()).resolves.toBe(
            `Unlocked the source lock on source ${SPRAYER} (4 usernames): 1 attempt removed.`,
          )
          expect((await attempt('zed', SPRAYER)).decision.reason).not.toBe('sourceLocked')
          expect(await page.locator('tbody tr').count()).toBe(1)

          await page
            .getByRole('button', { name: `Unlock device ${short}… of username alice` })
            .click()
          await expect(page.locator('p.notice').textContent()).resolves.toMatch(
            new RegExp(
              `^Unlocked the device lock on device ${short}… of username alice: \\d+ attempts? removed\\.$`,
            ),
          )
          expect(await page.locator('tbody').textContent()).toContain('No one is locked out.')
          const back = await attempt('alice', '10.0.0.1', true, cookie)
          expect(back.decision.trustedDevice).toBe(true)
        } finally {
          await context.close()
          await admin.close()
          await axes.reset()
          await axes.close()
        }
      },
      90_000,
    )
  }
})
