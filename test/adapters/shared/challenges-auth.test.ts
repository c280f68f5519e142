/**
 * Challenges (node-axes/challenges) through the auth frameworks, over real HTTP: NestJS (Express
 * and Fastify platforms, `@AxesLogin()`), better-auth's sign-in and Auth.js' Credentials provider,
 * each verifying the challenge with `challenges()`' own `verify` (a stub reading a header, where
 * a CAPTCHA token would be). The refusal is each framework's own error, distinct from a lockout:
 * Nest's `{ statusCode: 403, error: 'Challenge Required' }`, better-auth's `CHALLENGE_REQUIRED`,
 * Auth.js' `code=challenge_required`; and `axesAuthorize`'s own `verifyChallenge`.
 */

import { describe, expect, it } from 'vitest'
import { axesAuthorize } from '../../../src/adapters/authjs/index.js'
import { challenges } from '../../../src/core/challenges/index.js'
import { signInClient, startAuthjs } from '../authjs/app.js'
import { ALICE, startBetterAuth } from '../better-auth/app.js'
import { type Platform, startNest, Users } from '../nestjs/apps.js'
import { lockoutAxes } from './auth-frameworks.js'
import { eachApp } from './scenarios.js'

const MESSAGE = 'Please complete the challenge to sign in.'

/** The stub challenge: passed when the request says so in a header. */
const stub = () =>
  challenges({ after: 2, verify: (request) => request.headers['x-challenge'] === 'passed' })

const PASSED = { 'x-challenge': 'passed' }

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })

for (const platform of ['express', 'fastify'] as Platform[]) {
  describe(`challenges through node-axes/nestjs on the ${platform} platform`, () => {
    const apps = eachApp()

    it("refuses without a passed challenge as Nest's 403 'Challenge Required', unchecked; checks with one", async () => {
      const axes = lockoutAxes({ failureLimit: 4, challenges: stub() })
      const users = new Users()
      const { base } = apps.use(await startNest(platform, axes, users))
      const login = (password: string, headers = {}) =>
        post(`${base}/login`, { username: 'alice', password }, headers)
      for (let i = 0; i < 2; i++) expect((await login('nope')).status).toBe(401)
      for (let i = 0; i < 3; i++) {
        const refused = await login('wonderland')
        expect(refused.status).toBe(403)
        expect(await refused.json()).toEqual({
          statusCode: 403,
          message: MESSAGE,
          error: 'Challenge Required',
        })
      }
      expect(users.checked).toEqual(['alice', 'alice'])
      expect((await login('nope', PASSED)).status).toBe(401)
      const ok = await login('wonderland', PASSED)
      expect(ok.status).toBe(200)
      expect(users.checked).toHaveLength(4)
    })
  })
}

describe('challenges through node-axes/better-auth', () => {
  const apps = eachApp()

  it('refuses without a passed challenge with APIError 403 CHALLENGE_REQUIRED, unchecked; checks with one', async () => {
    const axes = lockoutAxes({
      failureLimit: 4,
      lockoutParameters: [['username', 'ip_address']],
      challenges: stub(),
    })
    const app = await startBetterAuth(axes)
    apps.use(app)
    const signIn = (password: string, headers = {}) =>
      post(`${app.base}/api/auth/sign-in/email`, { email: ALICE.email, password }, headers)
    for (let i = 0; i < 2; i++) expect((await signIn('nope')).status).toBe(401)
    const refused = await signIn(ALICE.password)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toMatchObject({ code: 'CHALLENGE_REQUIRED', message: MESSAGE })
    expect(app.checks()).toBe(2)
    expect((await signIn('nope', PASSED)).status).toBe(401)
    expect(app.checks()).toBe(3)
    expect((await signIn(ALICE.password, PASSED)).status).toBe(200)
  })
})

describe('challenges through node-axes/authjs', () => {
  const apps = eachApp()
  const signInError = (code: string) =>
    new RegExp(`/auth/signin\\?error=CredentialsSignin&code=${code}$`)

  it('refuses without a passed challenge with CredentialsSignin code challenge_required; authorize runs with one', async () => {
    const axes = lockoutAxes({ failureLimit: 4, challenges: stub() })
    const app = await startAuthjs(axes)
    apps.use(app)
    const signIn = await signInClient(app.base)
    for (let i = 0; i < 2; i++) {
      const wrong = await signIn({ username: 'alice', password: 'nope' })
      expect(wrong.headers.get('location')).toMatch(signInError('credentials'))
    }
    const refused = await signIn({ username: 'alice', password: 'wonderland' })
    expect(refused.headers.get('location')).toMatch(signInError('challenge_required'))
    expect(app.checked).toEqual(['alice', 'alice'])
    const ok = await signIn({ username: 'alice', password: 'wonderland' }, PASSED)
    expect(ok.headers.get('location')).not.toMatch(/error=/)
    expect(app.checked).toHaveLength(3)
  })

  it("axesAuthorize's verifyChallenge receives the credentials and the request", async () => {
    const axes = lockoutAxes({ failureLimit: 4, challenges: challenges({ after: 1 }) })
    const seen: unknown[] = []
    const authorize = axesAuthorize(
      axes,
      (c: Record<string, unknown>) => (c.password === 'wonderland' ? { id: 'alice' } : null),
      {
        clientAddress: () => '192.0.2.9',
        verifyChallenge: (credentials) => {
          seen.push(credentials.captcha)
          return credentials.captcha === 'token-ok'
        },
      },
    )
    const request = () => new Request('http://localhost/auth/callback/credentials')
    expect(await authorize({ username: 'alice', password: 'nope' }, request())).toBeNull()
    await expect(
      authorize({ username: 'alice', password: 'wonderland', captcha: 'bad' }, request()),
    ).rejects.toMatchObject({ code: 'challenge_required' })
    expect(
      await authorize(
        { username: 'alice', password: 'wonderland', captcha: 'token-ok' },
        request(),
      ),
    ).toEqual({ id: 'alice' })
    expect(seen).toEqual(['bad', 'token-ok'])
  })
})
