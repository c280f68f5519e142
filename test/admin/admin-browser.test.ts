// The admin pages in a real browser: Debian's chromium driven by playwright-core. A staff member
// logs in through `authorize` (a demo cookie), searches, filters, deletes a locked-out client's
// attempt and sees the lockout go; hostile usernames and user agents must not run. A screenshot of
// each page is kept in test-results/admin/.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Axes, createAxes } from 'node-axes'
import { createAdminHandler, toNodeListener } from 'node-axes/admin'
import { databaseHandler } from 'node-axes/database'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, chromiumPresent } from '../support/chromium.js'
import { BASE, DEMO_COOKIE, fail, loginRequest } from './support.js'

const SHOTS = join(process.cwd(), 'test-results', 'admin')
const present = chromiumPresent('admin-browser')

const XSS_USER = '<script>window.__xss = 1; alert(1)</script>'
const XSS_AGENT = '"><img src=x onerror="window.__xss = 2; alert(2)">'

describe.skipIf(!present)('admin pages in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'node-axes-admin-browser-'))
  let axes: Axes
  let server: Server
  let base: string
  let browser: Browser
  let page: Page
  const dialogs: string[] = []

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    // Earlier failures first (a clock set back), for the chart; the lockouts are current.
    let offset = 0
    axes = createAxes({
      handler: databaseHandler({ url: `sqlite:${join(dir, 'axes.sqlite3')}` }),
      clock: () => Date.now() - offset,
      failureLimit: 3,
      cooloffTime: '30m',
      lockoutParameters: [['ip_address', 'username']],
      enableAccessFailureLog: true,
    })
    const noise = ['admin', 'root', 'test', 'guest']
    for (let day = 6; day >= 1; day--) {
      const name = noise[day % noise.length] as string
      offset = day * 86_400_000 + 3 * 3_600_000
      await fail(
        axes,
        { ip: `192.0.2.${100 + (day % noise.length)}`, username: name },
        1 + (day % 3),
      )
    }
    offset = 0
    await fail(axes, { ip: '203.0.113.7', username: 'alice', query: { next: '/account' } }, 3)
    await fail(axes, { ip: '198.51.100.23', username: 'bob', path: '/api/login' }, 1)
    await fail(axes, { ip: '192.0.2.44', username: 'carol', userAgent: 'curl/8.5.0' }, 2)
    await fail(
      axes,
      { ip: '2001:db8::17', username: 'mallory', userAgent: 'python-requests/2.32' },
      4,
    )
    await fail(axes, { ip: '203.0.113.66', username: XSS_USER, userAgent: XSS_AGENT }, 2)
    await axes.loggedIn(loginRequest({ ip: '198.51.100.23', username: 'bob' }), 'bob')

    const admin = toNodeListener(
      createAdminHandler({
        axes,
        basePath: BASE,
        // Staff are those with the demo cookie; everyone else is sent to the demo login.
        authorize: (request) =>
          (request.headers.get('cookie') ?? '').includes(DEMO_COOKIE)
            ? true
            : new Response(null, { status: 303, headers: { location: '/demo-login' } }),
      }),
    )
    server = createServer((req, res) => {
      if (req.url === '/demo-login' && req.method === 'GET') {
        res.setHeader('content-type', 'text/html; charset=utf-8')
        res.end(
          '<!doctype html><title>Log in</title><form method="post"><button>Log in as staff</button></form>',
        )
        return
      }
      if (req.url === '/demo-login' && req.method === 'POST') {
        res.statusCode = 303
        res.setHeader('set-cookie', `${DEMO_COOKIE}; Path=/; HttpOnly; SameSite=Strict`)
        res.setHeader('location', `${BASE}/`)
        res.end()
        return
      }
      admin(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // As root (CI) Chromium needs --no-sandbox.
      args: ['--no-sandbox'],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } })
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await axes?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  const noXss = async () => {
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined()
    expect(dialogs).toEqual([])
  }

  it('logs in through authorize and shows the overview', async () => {
    await page.goto(`${base}${BASE}/`)
    expect(new URL(page.url()).pathname).toBe('/demo-login')
    await page.getByRole('button', { name: 'Log in as staff' }).click()
    await page.waitForURL(`${base}${BASE}/`)
    await expect(page.locator('h1').textContent()).resolves.toBe('Overview')
    expect(await page.locator('svg[role=img]').count()).toBe(1)
    expect(await page.locator('.card').nth(1).textContent()).toContain('2locked out now')
    await shot('overview')
    await noXss()
  })

  it('searches and filters the access attempts', async () => {
    await page.getByRole('link', { name: 'Access attempts' }).click()
    await expect(page.locator('tbody tr').count()).resolves.toBe(9)
    await shot('attempts')
    await noXss()
    // The hostile username is shown as text.
    expect(await page.locator('tbody').textContent()).toContain(XSS_USER)

    await page.getByRole('searchbox', { name: 'Search' }).fill('curl')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect(page.locator('tbody tr').count()).resolves.toBe(1)
    expect(await page.locator('tbody').textContent()).toContain('carol')

    await page.getByRole('searchbox', { name: 'Search' }).fill('')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.locator('aside').getByRole('link', { name: 'Yes' }).click()
    const locked = await page.locator('tbody').textContent()
    expect(locked).toContain('alice')
    expect(locked).toContain('mallory')
    expect(locked).not.toContain('bob')
    await shot('attempts-locked')
  })

  it('deletes a selected attempt, and the lockout disappears', async () => {
    const alice = loginRequest({ ip: '203.0.113.7', username: 'alice' })
    expect((await axes.isAllowed(alice, { username: 'alice' })).allowed).toBe(false)
    const row = page.locator('tbody tr', { hasText: 'alice' })
    await row.getByRole('checkbox').check()
    await page.getByRole('button', { name: 'Delete selected attempts' }).click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Delete attempts')
    await shot('delete-confirmation')
    await page.getByRole('button', { name: 'Yes, delete' }).click()
    await expect(page.locator('p.notice').textContent()).resolves.toBe('1 attempt removed.')
    expect(await page.locator('tbody').textContent()).not.toContain('alice')
    expect((await axes.isAllowed(alice, { username: 'alice' })).allowed).toBe(true)
    await page.getByRole('link', { name: 'Overview' }).click()
    expect(await page.locator('.card').nth(1).textContent()).toContain('1locked out now')
  })

  it('shows an attempt in detail, and the logs, without running hostile values', async () => {
    await page.goto(`${base}${BASE}/attempts?q=window.__xss`)
    await page.locator('tbody tr a').first().click()
    await expect(page.locator('h1').textContent()).resolves.toBe('Access attempt')
    expect(await page.locator('dl').first().textContent()).toContain(XSS_USER)
    expect(await page.locator('dl').nth(2).textContent()).toContain(XSS_AGENT)
    await shot('attempt-detail')
    await noXss()
    await page.getByRole('link', { name: 'Access failure logs' }).click()
    expect(await page.locator('tbody tr').count()).toBe(24)
    await shot('failure-logs')
    await page.getByRole('link', { name: 'Access logs', exact: true }).click()
    expect(await page.locator('tbody').textContent()).toContain('bob')
    await shot('access-logs')
    await noXss()
  })
})
