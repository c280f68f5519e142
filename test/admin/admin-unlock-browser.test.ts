// "Locked out now" and its Unlock button in Chromium, on every handler (SQLite, PostgreSQL, Redis,
// memory), with the demo's settings (3 failures, a 1-minute cool-off, per username and IP): alice
// is locked from two user agents (a browser and curl), each of her rows says "Locked out" by the
// pair's lock, and one press of Unlock lets her log in. Screenshots in test-results/admin/.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { AxesHandler } from 'node-axes'
import { type Axes, type AxesOptions, createAxes, memoryHandler } from 'node-axes'
import { databaseHandler } from 'node-axes/database'
import { redisHandler } from 'node-axes/redis'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgServerUrl, redisServerUrl } from '../support/inject-servers.js'
import { createDatabase } from '../support/servers.js'
import { BASE, fail, loginRequest, serveAdmin } from './support.js'

const CHROMIUM = '/usr/bin/chromium'
const SHOTS = join(process.cwd(), 'test-results', 'admin')
const present = existsSync(CHROMIUM)
if (!present && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)`)
}

const DEMO: AxesOptions = {
  failureLimit: 3,
  cooloffTime: '1m',
  lockoutParameters: [['username', 'ip_address']],
  logger: false,
}

const dir = mkdtempSync(join(tmpdir(), 'node-axes-admin-unlock-'))
const pg = pgServerUrl()
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
    'Redis',
    redis !== null,
    async () => {
      const client = new Redis(redis as string)
      clients.push(client)
      return redisHandler({ client, prefix: `unlock-${process.pid}:` })
    },
  ],
  ['memory', true, async () => memoryHandler()],
]

describe.skipIf(!present)('Locked out now and Unlock in Chromium', () => {
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
      `${name}: one Unlock lets alice, locked from two user agents, log in`,
      async () => {
        const axes: Axes = createAxes({ ...DEMO, handler: await create() })
        const admin = await serveAdmin(axes)
        const context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
        try {
          await fail(
            axes,
            { ip: '203.0.113.7', username: 'alice', userAgent: 'Mozilla/5.0 Firefox/133' },
            2,
          )
          await fail(axes, { ip: '203.0.113.7', username: 'alice', userAgent: 'curl/8.5.0' }, 1)
          await fail(axes, { ip: '203.0.113.7', username: 'bob', userAgent: 'curl/8.5.0' }, 1)
          const alice = loginRequest({ ip: '203.0.113.7', username: 'alice' })
          expect((await axes.isAllowed(alice, { username: 'alice' })).allowed).toBe(false)

          const url = new URL(admin.url)
          await context.addCookies([
            { name: 'demo_staff', value: 'yes', domain: url.hostname, path: '/' },
          ])
          const page = await context.newPage()
          // Each of alice's rows says what keeps her out: the pair's lock, across user agents.
          await page.goto(`${admin.url}${BASE}/attempts`)
          const aliceRows = page.locator('tbody tr', { hasText: 'alice' })
          const rows = await aliceRows.count()
          expect(rows).toBe(name === 'SQLite' || name === 'PostgreSQL' ? 2 : 1)
          for (let i = 0; i < rows; i++) {
            expect(await aliceRows.nth(i).textContent()).toContain('Locked out')
            expect(await aliceRows.nth(i).textContent()).toContain('by the pair lock')
          }
          expect(await page.locator('tbody tr', { hasText: 'bob' }).textContent()).toContain(
            '2 attempts remaining',
          )
          if (name === 'SQLite')
            await page.screenshot({ path: join(SHOTS, 'attempts-locked-pair.png'), fullPage: true })

          await page.getByRole('link', { name: 'Locked out now' }).click()
          await expect(page.locator('h1').textContent()).resolves.toBe('Locked out now')
          const locks = page.locator('tbody tr')
          expect(await locks.count()).toBe(1)
          const lock = await locks.first().textContent()
          expect(lock).toContain('pair')
          expect(lock).toContain('IP 203.0.113.7, username alice')
          if (name === 'SQLite') {
            expect(lock).toContain('curl/8.5.0')
            expect(lock).toContain('Mozilla/5.0 Firefox/133')
            await page.screenshot({ path: join(SHOTS, 'locks.png'), fullPage: true })
          }

          await page.getByRole('button', { name: 'Unlock IP 203.0.113.7, username alice' }).click()
          await expect(page.locator('p.notice').textContent()).resolves.toMatch(
            /^Unlocked the pair lock on IP 203\.0\.113\.7, username alice: \d+ attempts? removed\.$/,
          )
          expect(await page.locator('tbody').textContent()).toContain('No one is locked out.')
          expect((await axes.isAllowed(alice, { username: 'alice' })).allowed).toBe(true)
          const curl = loginRequest({
            ip: '203.0.113.7',
            username: 'alice',
            userAgent: 'curl/8.5.0',
          })
          expect((await axes.isAllowed(curl, { username: 'alice' })).allowed).toBe(true)
          // bob's failure locked nothing and is still there.
          expect((await axes.listAttempts()).map((a) => a.username)).toEqual(['bob'])
        } finally {
          await context.close()
          await admin.close()
          await axes.reset()
          await axes.close()
        }
      },
      60_000,
    )
  }
})
