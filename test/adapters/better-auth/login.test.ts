import { describe, expect, it } from 'vitest'
import type { AxesOptions, LockedOutEvent, LoginFailedEvent } from '../../../src/index.js'
import { BURST, COOLOFF_MESSAGE, lockoutAxes, MALFORMED } from '../shared/auth-frameworks.js'
import { eachApp } from '../shared/scenarios.js'
import { ALICE, startBetterAuth } from './app.js'

const setup = (options: AxesOptions = {}) =>
  lockoutAxes({ lockoutParameters: [['username', 'ip_address']], ...options })

const SIGN_INS = [
  {
    endpoint: '/sign-in/email',
    field: 'email',
    identity: ALICE.email,
    wrongCode: 'INVALID_EMAIL_OR_PASSWORD',
  },
  {
    endpoint: '/sign-in/username',
    field: 'username',
    identity: ALICE.username,
    wrongCode: 'INVALID_USERNAME_OR_PASSWORD',
  },
]

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

for (const { endpoint, field, identity, wrongCode } of SIGN_INS) {
  describe(`node-axes/better-auth on ${endpoint}`, () => {
    const apps = eachApp()
    const signIn = (base: string, value: unknown, password: unknown) =>
      post(base, endpoint, { [field]: value, password })

    it("locks out at the limit with better-auth's APIError, Retry-After and the lockout events, and never checks a locked client's password", async () => {
      const axes = setup()
      const failed: LoginFailedEvent[] = []
      const locked: LockedOutEvent[] = []
      axes.on('loginFailed', (event) => failed.push(event))
      axes.on('lockedOut', (event) => locked.push(event))
      const app = await startBetterAuth(axes)
      apps.use(app)
      for (let i = 0; i < 2; i++) {
        const res = await signIn(app.base, identity, 'nope')
        expect(res.status).toBe(401)
        expect((await res.json()) as object).toMatchObject({ code: wrongCode })
      }
      const third = await signIn(app.base, identity, 'nope')
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBe('60')
      expect(await third.json()).toEqual({ code: 'ACCOUNT_LOCKED_OUT', message: COOLOFF_MESSAGE })
      const right = await signIn(app.base, identity, ALICE.password)
      expect(right.status).toBe(429)
      expect(right.headers.get('set-cookie')).toBeNull()
      expect(app.checks()).toBe(3)
      // The refused attempt is a failed login too, as node-axes reports it everywhere.
      expect(failed.map((event) => event.client.username)).toEqual(Array(4).fill(identity))
      expect(locked.map((event) => event.username)).toEqual([identity, identity])
    })

    it('lets the right password through, records the login and resets the failures', async () => {
      const axes = setup({ resetOnSuccess: true })
      const logins: unknown[] = []
      axes.on('loggedIn', (event) => logins.push(event.client.username))
      const app = await startBetterAuth(axes)
      apps.use(app)
      expect((await signIn(app.base, identity, 'nope')).status).toBe(401)
      expect((await signIn(app.base, identity, 'nope')).status).toBe(401)
      const right = await signIn(app.base, identity, ALICE.password)
      expect(right.status).toBe(200)
      expect(right.headers.get('set-cookie')).toMatch(/session_token=/)
      expect(logins).toEqual([identity])
      // resetOnSuccess: two more failures do not lock.
      expect((await signIn(app.base, identity, 'nope')).status).toBe(401)
      expect((await signIn(app.base, identity, 'nope')).status).toBe(401)
    })

    it('counts the identity better-auth verifies: every spelling of it shares one limit', async () => {
      const axes = setup()
      const app = await startBetterAuth(axes)
      apps.use(app)
      const spellings = [identity.toUpperCase(), identity, identity.replace(/^a/, 'A')]
      const statuses: number[] = []
      for (const spelling of spellings)
        statuses.push((await signIn(app.base, spelling, 'x')).status)
      expect(statuses).toEqual([401, 401, 429])
      expect((await signIn(app.base, identity.toUpperCase(), ALICE.password)).status).toBe(429)
      expect(app.checks()).toBe(3)
    })

    it(`lets ${BURST} parallel wrong passwords reach the password check exactly failureLimit times`, async () => {
      const axes = setup({ failureLimit: 4 })
      const app = await startBetterAuth(axes)
      apps.use(app)
      const statuses = await Promise.all(
        Array.from({ length: BURST }, async () => {
          const res = await signIn(app.base, identity, 'wrong')
          await res.arrayBuffer()
          return res.status
        }),
      )
      expect(app.checks()).toBe(4)
      expect(statuses.filter((s) => s === 401)).toHaveLength(3)
      expect(statuses.filter((s) => s === 429)).toHaveLength(BURST - 3)
    })

    it('refuses an identity or password that is not one text value with 400, before any check, counting nothing', async () => {
      const axes = setup({ failureLimit: 1 })
      const failed: unknown[] = []
      axes.on('loginFailed', (event) => failed.push(event))
      const app = await startBetterAuth(axes)
      apps.use(app)
      for (const [value, password] of [
        [[identity, 'bob'], 'x'],
        [{ $ne: 'x' }, 'x'],
        [identity, ['a', 'b']],
      ]) {
        const res = await signIn(app.base, value, password)
        expect(res.status).toBe(400)
        expect(await res.json()).toEqual({ code: 'MALFORMED_CREDENTIALS', message: MALFORMED })
      }
      expect(app.checks()).toBe(0)
      expect(failed).toEqual([])
      expect((await signIn(app.base, identity, ALICE.password)).status).toBe(200)
    })
  })
}

describe('node-axes/better-auth: server-side sign-ins (auth.api)', () => {
  const apps = eachApp()

  it('throws the lockout as an APIError with the lockout status, and refuses a sign-in without a client address', async () => {
    const axes = setup({ failureLimit: 2 })
    const app = await startBetterAuth(axes)
    apps.use(app)
    const signIn = (headers: Record<string, string>) =>
      app.api.signInEmail({
        body: { email: ALICE.email, password: 'nope' },
        headers: new Headers(headers),
      })
    const from = { 'x-axes-client-ip': '192.0.2.7' }
    await expect(signIn(from)).rejects.toMatchObject({ statusCode: 401 })
    await expect(signIn(from)).rejects.toMatchObject({
      statusCode: 429,
      body: { code: 'ACCOUNT_LOCKED_OUT', message: COOLOFF_MESSAGE },
    })
    await expect(signIn(from)).rejects.toMatchObject({ statusCode: 429 })
    await expect(signIn({})).rejects.toMatchObject({ code: 'AXES_NO_CLIENT_ADDRESS' })
    expect(app.checks()).toBe(2)
  })
})

describe('node-axes/better-auth: the plugin', () => {
  it('needs a clientAddress source, and refuses a sign-in whose source gives no address', async () => {
    const { axesPlugin } = await import('../../../src/adapters/better-auth/index.js')
    expect(() => axesPlugin(setup(), {} as never)).toThrow(/needs a clientAddress source/)
  })
})
