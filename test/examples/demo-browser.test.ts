// The demo site (`npm start`) in a real browser: Debian's chromium driven by playwright-core, as
// test/admin/admin-browser.test.ts drives it. The dead ends a new operator met are gone: /login
// answers when opened again after a failed sign-in, the lockout page links back, the admin has a
// sign-out button, and the admin's Path column keeps `/login` whole. Screenshots are kept in
// test-results/demo/.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { databaseHandler } from 'node-axes/database'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoApp, demoSiteOptions } from '../../examples/demo-site.js'
import { createAxes } from '../support/axes.js'
import { CHROMIUM, chromiumPresent } from '../support/chromium.js'

// The page's globals, as this file (compiled without the DOM library) sees them.
declare const getComputedStyle: (element: unknown) => {
  backgroundColor: string
  borderRadius: string
}
declare const document: {
  createRange(): { selectNodeContents(node: unknown): void; getClientRects(): { top: number }[] }
}

const SHOTS = join(process.cwd(), 'test-results', 'demo')
const present = chromiumPresent('demo-browser')

describe.skipIf(!present)('the demo site in Chromium', () => {
  // The demo's store: a SQLite file (its rows keep the path the admin shows).
  const dir = mkdtempSync(join(tmpdir(), 'axes-demo-browser-'))
  const axes = createAxes({
    ...demoSiteOptions,
    handler: databaseHandler({ url: `sqlite:${join(dir, 'axes.sqlite3')}` }),
    enableAccessFailureLog: true,
    logger: false,
  })
  let server: Server
  let base = ''
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = createDemoApp(axes).listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1024, height: 760 } })
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await axes.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  const signIn = async (username: string, password: string) => {
    await page.fill('input[name=username]', username)
    await page.fill('input[name=password]', password)
    await Promise.all([page.waitForLoadState('load'), page.click('form.login button')])
  }

  it('is styled as the admin is: a header, a card, a green button', async () => {
    await page.goto(`${base}/`)
    expect(await page.locator('header a').first().textContent()).toBe('node-axes demo')
    const button = await page
      .locator('form.login button')
      .evaluate((b) => getComputedStyle(b).backgroundColor)
    expect(button).toBe('rgb(31, 136, 61)')
    const card = await page
      .locator('.card')
      .first()
      .evaluate((c) => getComputedStyle(c).borderRadius)
    expect(card).toBe('6px')
    await shot('home')
  })

  it('after a failed sign-in, opening /login again shows the form (no 404)', async () => {
    await page.goto(`${base}/`)
    await signIn('alice', 'nope')
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(await page.locator('[role=alert]').textContent()).toContain('2 attempts left')
    const again = await page.goto(page.url())
    expect(again?.status()).toBe(200)
    expect(await page.locator('form.login').count()).toBe(1)
  })

  it('after two failures the form asks for the challenge, refuses without it, and checks the password with it', async () => {
    await page.goto(`${base}/`)
    await signIn('alice', 'nope')
    expect(await page.locator('[role=alert]').textContent()).toContain('1 attempt left')
    const box = page.locator('input[name=not_a_robot]')
    expect(await box.count()).toBe(1)
    expect(await page.locator('form.login').textContent()).toContain('I am not a robot')
    // The form keeps the username; without the box ticked, the password is not even checked.
    expect(await page.locator('input[name=username]').inputValue()).toBe('alice')
    await signIn('alice', 'wonderland')
    expect(await page.locator('[role=alert]').textContent()).toContain(
      'Please tick "I am not a robot" to sign in (1 attempt left before the lock).',
    )
    await shot('challenge')
  })

  it('the lockout page links back to the sign-in page', async () => {
    await page.goto(`${base}/`)
    await page.fill('input[name=username]', 'alice')
    await page.fill('input[name=password]', 'nope')
    // The form from the home page has no challenge: the answer brings it.
    await Promise.all([page.waitForLoadState('load'), page.click('form.login button')])
    await page.check('input[name=not_a_robot]')
    await signIn('alice', 'nope')
    expect(await page.locator('h1').textContent()).toBe('Locked out')
    await shot('lockout')
    await Promise.all([page.waitForLoadState('load'), page.click('text=Back to the sign-in page')])
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.locator('form.login').count()).toBe(1)
  })

  it('the admin keeps /login whole in its Path column, and has a Sign out button that works', async () => {
    await page.goto(`${base}/admin/`)
    expect(new URL(page.url()).pathname).toBe('/admin/login')
    await signIn('admin', 'axes-demo')
    await page.goto(`${base}/admin/attempts`)
    // A narrow window, where the table squeezes its columns.
    await page.setViewportSize({ width: 760, height: 760 })
    const cell = page.locator('td.path').first()
    expect(await cell.textContent({ timeout: 5_000 })).toBe('/login')
    const lines = await cell.evaluate((td) => {
      const range = document.createRange()
      range.selectNodeContents(td)
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
    })
    expect(lines).toBe(1)
    await shot('admin-attempts')
    await page.setViewportSize({ width: 1024, height: 760 })
    const signOut = page.locator('header form.signout button')
    expect(await signOut.textContent()).toBe('Sign out')
    await Promise.all([page.waitForLoadState('load'), signOut.click()])
    expect(new URL(page.url()).pathname).toBe('/')
    await page.goto(`${base}/admin/attempts`)
    expect(new URL(page.url()).pathname).toBe('/admin/login')
  }, 60_000)
})
