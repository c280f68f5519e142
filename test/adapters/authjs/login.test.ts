import { describe, expect, it } from 'vitest'
import type { LockedOutEvent } from '../../../src/index.js'
import { BURST, lockoutAxes } from '../shared/auth-frameworks.js'
import { eachApp } from '../shared/scenarios.js'
import { signInClient, startAuthjs } from './app.js'

/** Where Auth.js sends a failed credentials sign-in: its sign-in page with the error's code. */
const signInError = (code: string) =>
  new RegExp(`/auth/signin\\?error=CredentialsSignin&code=${code}$`)

describe('node-axes/authjs: axesAuthorize through @auth/express', () => {
  const apps = eachApp()

  it("locks out at the limit with Auth.js' CredentialsSignin (code locked_out) and the lockout events, and never runs a locked client's authorize", async () => {
    const axes = lockoutAxes()
    const locked: LockedOutEvent[] = []
    axes.on('lockedOut', (event) => locked.push(event))
    const app = await startAuthjs(axes)
    apps.use(app)
    const signIn = await signInClient(app.base)
    for (let i = 0; i < 2; i++) {
      const res = await signIn({ username: 'alice', password: 'nope' })
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toMatch(signInError('credentials'))
    }
    const third = await signIn({ username: 'alice', password: 'nope' })
    expect(third.status).toBe(302)
    expect(third.headers.get('location')).toMatch(signInError('locked_out'))
    const right = await signIn({ username: 'alice', password: 'wonderland' })
    expect(right.headers.get('location')).toMatch(signInError('locked_out'))
    // Auth.js' client API (`signIn(…, { redirect: false })`) reads the same code.
    const json = await signIn(
      { username: 'alice', password: 'wonderland' },
      { 'x-auth-return-redirect': '1' },
    )
    expect(((await json.json()) as { url: string }).url).toMatch(signInError('locked_out'))
    expect(app.checked).toEqual(['alice', 'alice', 'alice'])
    expect(locked.map((event) => event.username)).toEqual(['alice', 'alice', 'alice'])
  })

  it('lets the right password through with a session, and records the login', async () => {
    const axes = lockoutAxes()
    const logins: unknown[] = []
    axes.on('loggedIn', (event) => logins.push(event.client.username))
    const app = await startAuthjs(axes)
    apps.use(app)
    const signIn = await signInClient(app.base)
    expect((await signIn({ username: 'alice', password: 'nope' })).status).toBe(302)
    const right = await signIn({ username: 'alice', password: 'wonderland' })
    expect(right.status).toBe(302)
    expect(right.headers.get('location')).not.toMatch(/error=/)
    expect(right.headers.getSetCookie().join('\n')).toMatch(/authjs\.session-token=/)
    expect(logins).toEqual(['alice'])
  })

  it(`lets ${BURST} parallel wrong passwords reach authorize exactly failureLimit times`, async () => {
    const axes = lockoutAxes({ failureLimit: 4, lockoutParameters: [['username', 'ip_address']] })
    const app = await startAuthjs(axes)
    apps.use(app)
    const signIn = await signInClient(app.base)
    const locations = await Promise.all(
      Array.from({ length: BURST }, async () => {
        const res = await signIn({ username: 'alice', password: 'wrong' })
        await res.arrayBuffer()
        return res.headers.get('location') ?? ''
      }),
    )
    expect(app.checked).toHaveLength(4)
    expect(locations.filter((l) => l.endsWith('code=credentials'))).toHaveLength(3)
    // Every other one refused: locked out, or (while the last places are held by attempts still
    // being checked) too many attempts in flight.
    const refused = locations.filter((l) => /code=(locked_out|too_many_attempts)$/.test(l))
    expect(refused).toHaveLength(BURST - 3)
    expect(locations.filter((l) => l.endsWith('code=locked_out')).length).toBeGreaterThan(0)
  })

  it('refuses a username or password that is not one text value, before authorize, counting nothing', async () => {
    const axes = lockoutAxes({ failureLimit: 1 })
    const failed: unknown[] = []
    axes.on('loginFailed', (event) => failed.push(event))
    const app = await startAuthjs(axes)
    apps.use(app)
    const signIn = await signInClient(app.base)
    for (const body of [
      '{"csrfToken":"CSRF","username":["alice","bob"],"password":"x"}',
      '{"csrfToken":"CSRF","username":{"$ne":"x"},"password":"x"}',
      '{"csrfToken":"CSRF","username":"alice","password":["a","b"]}',
    ]) {
      const res = await signIn(body)
      expect(res.headers.get('location')).toMatch(signInError('malformed_credentials'))
    }
    expect(app.checked).toEqual([])
    expect(failed).toEqual([])
    // A form sends each field as text: the value authorize receives is the value counted.
    const right = await signIn({ username: 'alice', password: 'wonderland' })
    expect(right.headers.get('location')).not.toMatch(/error=/)
    expect(app.checked).toEqual(['alice'])
  })
})

describe('node-axes/authjs: axesAuthorize', () => {
  it('needs a clientAddress source', async () => {
    const { axesAuthorize } = await import('../../../src/adapters/authjs/index.js')
    expect(() => axesAuthorize(lockoutAxes(), () => null, {} as never)).toThrow(
      /needs a clientAddress source/,
    )
  })
})
