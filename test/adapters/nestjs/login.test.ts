import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { LockedOutEvent } from '../../../src/index.js'
import { BURST, COOLOFF_MESSAGE, lockoutAxes, MALFORMED } from '../shared/auth-frameworks.js'
import { eachApp } from '../shared/scenarios.js'
import { type Configure, type Platform, startNest, Users } from './apps.js'

const setup = lockoutAxes

const post = (base: string, path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const ROUTES = [
  { route: '/login', kind: '@AxesLogin()' },
  { route: '/passport-login', kind: "AxesAuthGuard('local') over @nestjs/passport" },
]

for (const platform of ['express', 'fastify'] as Platform[]) {
  for (const { route, kind } of ROUTES) {
    describe(`node-axes/nestjs on the ${platform} platform: ${kind}`, () => {
      const apps = eachApp()

      it.each(['forRoot', 'forRootAsync'] as Configure[])(
        "locks out at the limit in Nest's exception format, with Retry-After and the lockedOut event, and never checks a locked client's password (%s)",
        async (configure) => {
          const axes = setup()
          const locked: LockedOutEvent[] = []
          axes.on('lockedOut', (event) => locked.push(event))
          const users = new Users()
          const { base } = apps.use(await startNest(platform, axes, users, configure))
          for (let i = 0; i < 2; i++) {
            const res = await post(base, route, { username: 'alice', password: 'nope' })
            expect(res.status).toBe(401)
            expect(await res.json()).toEqual({ statusCode: 401, message: 'Unauthorized' })
          }
          const third = await post(base, route, { username: 'alice', password: 'nope' })
          expect(third.status).toBe(429)
          expect(third.headers.get('retry-after')).toBe('60')
          expect(third.headers.get('content-type')).toMatch(/^application\/json/)
          expect(await third.json()).toEqual({
            statusCode: 429,
            message: COOLOFF_MESSAGE,
            error: 'Too Many Requests',
          })
          const right = await post(base, route, { username: 'alice', password: 'wonderland' })
          expect(right.status).toBe(429)
          expect(users.checked).toEqual(['alice', 'alice', 'alice'])
          expect(locked.map((event) => event.username)).toEqual(['alice', 'alice'])
          // Another user is not locked, and the right password goes through.
          expect((await post(base, route, { username: 'bob', password: 'x' })).status).toBe(401)
        },
      )

      it('lets the right password through and records the login', async () => {
        const axes = setup()
        const logins: unknown[] = []
        axes.on('loggedIn', (event) => logins.push(event.client.username))
        const { base } = apps.use(await startNest(platform, axes, new Users()))
        expect((await post(base, route, { username: 'alice', password: 'x' })).status).toBe(401)
        const res = await post(base, route, { username: 'alice', password: 'wonderland' })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ welcome: 'alice' })
        expect(logins).toEqual(['alice'])
      })

      it(`lets ${BURST} parallel wrong passwords reach the password check exactly failureLimit times`, async () => {
        const axes = setup({ failureLimit: 4, lockoutParameters: [['username', 'ip_address']] })
        const users = new Users()
        const { base } = apps.use(await startNest(platform, axes, users))
        const statuses = await Promise.all(
          Array.from({ length: BURST }, async () => {
            const res = await post(base, route, { username: 'alice', password: 'wrong' })
            await res.arrayBuffer()
            return res.status
          }),
        )
        await sleep(10)
        expect(users.checked).toHaveLength(4)
        expect(statuses.filter((s) => s === 401)).toHaveLength(3)
        expect(statuses.filter((s) => s === 429)).toHaveLength(BURST - 3)
      })

      it('refuses a username or password that is not one text value with 400, before any check, counting nothing', async () => {
        const axes = setup({ failureLimit: 1 })
        const failed: unknown[] = []
        axes.on('loginFailed', (event) => failed.push(event))
        const users = new Users()
        const { base } = apps.use(await startNest(platform, axes, users))
        for (const body of [
          { username: ['alice', 'bob'], password: 'x' },
          { username: { $ne: 'x' }, password: 'x' },
          { username: 'alice', password: ['a', 'b'] },
        ]) {
          const res = await post(base, route, body)
          expect(res.status).toBe(400)
          expect(((await res.json()) as { message: string }).message).toBe(MALFORMED)
        }
        expect(users.checked).toEqual([])
        expect(failed).toEqual([])
        // A number is counted as its text; @AxesCredentials() hands the check that text, and
        // passport-local its JSON value.
        expect((await post(base, route, { username: 123, password: 'x' })).status).toBe(429)
        expect(users.checked).toEqual([route === '/login' ? '123' : 123])
      })
    })
  }

  describe(`node-axes/nestjs on the ${platform} platform: exception filters`, () => {
    const apps = eachApp()

    it('hands the lockout to an exception filter of the application as an AxesLockoutException', async () => {
      const axes = setup({ failureLimit: 2 })
      const { base } = apps.use(await startNest(platform, axes, new Users()))
      expect(
        (await post(base, '/filtered-login', { username: 'alice', password: 'x' })).status,
      ).toBe(401)
      const locked = await post(base, '/filtered-login', { username: 'alice', password: 'x' })
      expect(locked.status).toBe(429)
      expect(await locked.text()).toBe('filtered: alice 429')
    })
  })
}

describe('node-axes/nestjs: AxesModule', () => {
  it('refuses options without an instance with a clear error', async () => {
    const { AxesModule } = await import('../../../src/adapters/nestjs/index.js')
    expect(() => AxesModule.forRoot({} as never)).toThrow(/AxesModule needs \{ axes: createAxes/)
    expect(() => AxesModule.forRootAsync({})).toThrow(/useFactory, useClass or useExisting/)
  })
})
