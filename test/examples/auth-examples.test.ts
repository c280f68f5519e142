import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp as betterAuthApp, createAuth } from '../../examples/better-auth-login.js'
import { exampleOptions } from '../../examples/demo.js'
import { createApp as nestApp } from '../../examples/nestjs-login.js'
import { signInClient, startAuthjs } from '../adapters/authjs/app.js'
import { eachApp, type StartedApp, startedServer } from '../adapters/shared/scenarios.js'
import { createAxes } from '../support/axes.js'

// The examples of the auth frameworks' integrations, started and played over real HTTP.

const COOLOFF_MESSAGE = 'Account locked: too many login attempts. Please try again later.'

async function startNest(platform: 'express' | 'fastify'): Promise<StartedApp> {
  const app = await nestApp(createAxes({ ...exampleOptions, logger: false }), platform)
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address() as { port: number }
  return { base: `http://127.0.0.1:${port}`, close: () => app.close() }
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`examples/nestjs-login on ${platform}`, () => {
    const apps = eachApp()
    const login = (base: string, username: string, password: string) =>
      fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      })

    it('counts down, locks out at the third failure in Nest’s format, and keeps other users in', async () => {
      const { base } = apps.use(await startNest(platform))
      for (let i = 0; i < 2; i++) {
        const wrong = await login(base, 'alice', 'nope')
        expect(wrong.status).toBe(401)
        expect(await wrong.json()).toEqual({
          statusCode: 401,
          message: 'Wrong username or password.',
          error: 'Unauthorized',
        })
      }
      const third = await login(base, 'alice', 'nope')
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBe('60')
      expect(await third.json()).toEqual({
        statusCode: 429,
        message: COOLOFF_MESSAGE,
        error: 'Too Many Requests',
      })
      expect((await login(base, 'alice', 'wonderland')).status).toBe(429)
      const bob = await login(base, 'bob', 'builder')
      expect(bob.status).toBe(200)
      expect(await bob.json()).toEqual({ user: 'bob' })
    })
  })
}

describe('examples/better-auth-login', () => {
  const apps = eachApp()
  const signIn = (base: string, path: string, body: object) =>
    fetch(`${base}/api/auth${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it("locks out at the third failure with better-auth's error, whatever the spelling, and keeps other users in", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'axes-better-auth-example-'))
    try {
      const auth = await createAuth(
        createAxes({ ...exampleOptions, logger: false }),
        join(folder, 'auth.sqlite3'),
      )
      const { base } = apps.use(await startedServer(betterAuthApp(auth).listen(0, '127.0.0.1')))
      const wrong = await signIn(base, '/sign-in/email', {
        email: 'alice@example.com',
        password: 'x',
      })
      expect(wrong.status).toBe(401)
      expect(await wrong.json()).toMatchObject({ code: 'INVALID_EMAIL_OR_PASSWORD' })
      expect(
        (await signIn(base, '/sign-in/email', { email: 'ALICE@example.com', password: 'x' }))
          .status,
      ).toBe(401)
      const third = await signIn(base, '/sign-in/email', {
        email: 'Alice@Example.com',
        password: 'x',
      })
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBe('60')
      expect(await third.json()).toEqual({ code: 'ACCOUNT_LOCKED_OUT', message: COOLOFF_MESSAGE })
      const right = { email: 'alice@example.com', password: 'wonderland' }
      expect((await signIn(base, '/sign-in/email', right)).status).toBe(429)
      const bob = await signIn(base, '/sign-in/username', {
        username: 'bob',
        password: 'bob-the-builder',
      })
      expect(bob.status).toBe(200)
      expect(bob.headers.get('set-cookie')).toMatch(/session_token=/)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
})

describe('examples/authjs-login', () => {
  const apps = eachApp()

  it("serves Auth.js' sign-in page, locks out at the third failure with code locked_out, and keeps other users in", async () => {
    const app = await startAuthjs(createAxes({ ...exampleOptions, logger: false }))
    apps.use(app)
    const page = await fetch(`${app.base}/auth/signin`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('/auth/callback/credentials')
    const signIn = await signInClient(app.base)
    const codes: (string | null)[] = []
    for (let i = 0; i < 3; i++) {
      const res = await signIn({ username: 'alice', password: 'nope' })
      codes.push(new URL(res.headers.get('location') ?? '').searchParams.get('code'))
    }
    expect(codes).toEqual(['credentials', 'credentials', 'locked_out'])
    const bob = await signIn({ username: 'bob', password: 'bob' })
    expect(bob.headers.get('location')).toMatch(/code=credentials$/)
    expect(app.checked).toEqual(['alice', 'alice', 'alice', 'bob'])
  })
})
