import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, type StartedProcess, startProcess } from '../support/child-process.js'

const run = promisify(execFile)

/** The first cookie a response sets, as `name=value`. */
function cookieOf(response: Response): string {
  return (response.headers.getSetCookie()[0] ?? '').split(';')[0] as string
}

// The README's first command, `npm start`, run as a user runs it: a child process on its own port
// with its own SQLite file, played over HTTP from the lockout to the reset in the admin.
describe('npm start (examples/demo-site.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axes-demo-'))
  const database = `sqlite:${join(dir, 'demo.sqlite3')}`
  let demo: StartedProcess | undefined
  let base = ''

  beforeAll(async () => {
    demo = await startProcess('npm', ['start'], { AXES_DATABASE_URL: database }, { detached: true })
    base = demo.base
  }, 60_000)

  afterAll(async () => {
    await demo?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form),
    })

  it('locks alice out, shows the lockout in the admin, resets it there, and lets her in', async () => {
    const home = await fetch(`${base}/`)
    expect(home.status).toBe(200)
    const text = await home.text()
    expect(text).toContain('What to try')
    expect(text).toContain('<code>alice</code> / <code>wonderland</code>')

    const first = await post('/login', { username: 'alice', password: 'nope' })
    expect(first.status).toBe(401)
    expect(await first.text()).toContain('2 attempts left')
    // The address bar now shows /login: opened again, it is the sign-in page, not a 404.
    const reopened = await fetch(`${base}/login`)
    expect(reopened.status).toBe(200)
    expect(await reopened.text()).toContain('<form class="login" method="post" action="/login">')
    const second = await post('/login', { username: 'alice', password: 'nope' })
    expect(second.status).toBe(401)
    // After two failures the form asks for the challenge (the stub: a checkbox).
    const secondPage = await second.text()
    expect(secondPage).toContain('1 attempt left')
    expect(secondPage).toContain('name="not_a_robot"')
    expect(secondPage).toContain('I am not a robot')
    // Without it: refused before the password check, not counted, however often.
    for (const password of ['nope', 'wonderland', 'nope']) {
      const refused = await post('/login', { username: 'alice', password })
      expect(refused.status).toBe(403)
      const text = await refused.text()
      expect(text).toContain('Please tick &quot;I am not a robot&quot; to sign in (1 attempt left')
      expect(text).toContain('name="not_a_robot"')
      expect(text).toContain('value="alice"')
    }
    // With it ticked the password is checked: the third failure is the lockout.
    const third = await post('/login', { username: 'alice', password: 'nope', not_a_robot: 'yes' })
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('60')
    const lockout = await third.text()
    expect(lockout).toContain('Too many failed sign-ins for alice.')
    // Not a dead end: the lockout page links back.
    expect(lockout).toContain('<a href="/">Back to the sign-in page</a>')
    expect((await post('/login', { username: 'alice', password: 'wonderland' })).status).toBe(429)
    expect(
      (await post('/login', { username: 'alice', password: 'wonderland', not_a_robot: 'yes' }))
        .status,
    ).toBe(429)
    // Others are not locked out: the lockout is per username and IP address.
    const bob = await post('/login', { username: 'bob', password: 'builder' })
    expect(bob.status).toBe(303)
    expect(
      await (await fetch(`${base}/`, { headers: { cookie: cookieOf(bob) } })).text(),
    ).toContain('Signed in as <strong>bob</strong>')

    // The command line the home page suggests reads the same file with the demo's options: three
    // failures, and the two tries refused during the lockout, which count as django-axes counts
    // them (the refusals for want of the challenge do not); the lock ends a minute after that last try.
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        'list-attempts',
        '--config',
        'examples/node-axes.config.ts',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, AXES_DATABASE_URL: database },
      },
    )
    expect(stderr).toContain('node-axes.config.ts: 3 failures lock for 1 minute')
    expect(stdout).toMatch(
      /^127\.0\.0\.1 +alice +5 +\S+ \S+ +\S+ \S+ \(in (\d+ seconds|1 minute)\)/m,
    )

    // The admin sends an anonymous visitor to its own sign-in, which refuses a wrong password.
    const anonymous = await fetch(`${base}/admin/attempts`, { redirect: 'manual' })
    expect(anonymous.status).toBe(303)
    expect(new URL(anonymous.headers.get('location') ?? '').pathname).toBe('/admin/login')
    expect(await (await fetch(`${base}/admin/login`)).text()).toContain('<code>admin</code>')
    expect((await post('/admin/login', { username: 'admin', password: 'guess' })).status).toBe(401)
    // A user's session is not an admin's.
    const asBob = await fetch(`${base}/admin/attempts`, {
      redirect: 'manual',
      headers: { cookie: cookieOf(bob) },
    })
    expect(asBob.status).toBe(303)

    const signedIn = await post('/admin/login', { username: 'admin', password: 'axes-demo' })
    expect(signedIn.status).toBe(303)
    const session = cookieOf(signedIn)
    const attempts = await fetch(`${base}/admin/attempts?q=alice`, { headers: { cookie: session } })
    expect(attempts.status).toBe(200)
    const page = await attempts.text()
    expect(page).toContain('alice')
    // The admin's header has a sign-out button, posting to the demo's admin sign-out.
    expect(page).toContain(
      '<form class="signout" method="post" action="/admin/logout"><button>Sign out</button></form>',
    )
    expect(page).toContain('<td class="path">/login</td>')
    expect(page).toContain('Locked out')
    const csrfCookie = cookieOf(attempts)
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string
    const id = /name="id" value="([^"]+)"/.exec(page)?.[1] as string
    const deleted = await post(
      '/admin/attempts/delete',
      { id, csrf, confirm: 'yes' },
      { cookie: `${session}; ${csrfCookie}` },
    )
    expect(deleted.status).toBe(303)

    const alice = await post('/login', { username: 'alice', password: 'wonderland' })
    expect(alice.status).toBe(303)
    const signedOut = await post('/logout', {}, { cookie: cookieOf(alice) })
    expect(signedOut.status).toBe(303)
    const logs = await fetch(`${base}/admin/logs`, { headers: { cookie: session } })
    expect(await logs.text()).toContain('alice')
  })
})
