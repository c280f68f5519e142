/**
 * Challenges instead of locks (node-axes/challenges) through the core API on the memory handler:
 * after `after` failures an attempt needs a passed challenge; without one it is refused (403,
 * `challenge_required`), uncounted, and the password check never runs; with one it goes on, a wrong
 * password still counts and the lock at failureLimit still applies. Over HTTP through every adapter
 * and on every handler: test/adapters/shared/challenges.test.ts.
 */

import { describe, expect, it } from 'vitest'
import { challenges } from '../../src/core/challenges/index.js'
import { deviceCookies } from '../../src/core/device-cookies/index.js'
import {
  AxesConfigError,
  type AxesRequest,
  type ChallengeRequiredEvent,
  memoryHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1)

function request(
  challenge?: AxesRequest['challenge'],
  extra: Partial<AxesRequest> = {},
): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: {},
    socketAddress: '192.0.2.7',
    body: { username: 'alice', password: 'wrong' },
    ...(challenge === undefined ? {} : { challenge }),
    ...extra,
  }
}

function setup(options: Parameters<typeof challenges>[0] = { after: 2 }, failureLimit = 5) {
  const clock = { now: T0 }
  const guard = challenges(options)
  const axes = createAxes({
    handler: memoryHandler(),
    logger: false,
    clock: () => clock.now,
    failureLimit,
    cooloffTime: '1h',
    lockoutParameters: ['username'],
    challenges: guard,
  })
  const events: ChallengeRequiredEvent[] = []
  axes.on('challengeRequired', (event) => events.push(event))
  let checks = 0
  const check = (password: string) => () => {
    checks++
    return password === 'right' ? 'alice' : null
  }
  const login = (r: AxesRequest, password = 'wrong') =>
    axes.protect(r, { username: 'alice', password }, check(password))
  return { axes, guard, clock, events, login, checks: () => checks }
}

describe('challenges()', () => {
  it('refuses bad settings with one AxesConfigError, and an after not below failureLimit', () => {
    expect(() => challenges({ after: 0 })).toThrow(AxesConfigError)
    expect(() => challenges({ after: 1.5 })).toThrow(/after/)
    expect(() => challenges({ after: 2, verify: 'yes' as never })).toThrow(/verify/)
    expect(() => challenges({ after: 2, other: 1 } as never)).toThrow(/unknown key 'other'/)
    expect(() => challenges(null as never)).toThrow(AxesConfigError)
    expect(() =>
      createAxes({
        handler: memoryHandler(),
        failureLimit: 3,
        challenges: challenges({ after: 3 }),
      }),
    ).toThrow(/below failureLimit \(3\)/)
    expect(() => createAxes({ challenges: { after: 2 } as never })).toThrow(/challenges/)
  })

  it('asks nothing below after; then refuses an attempt without a challenge, uncounted, unchecked', async () => {
    const { axes, events, login, checks } = setup()
    expect((await login(request())).decision.remaining).toBe(4)
    const second = await login(request())
    // The failure that reaches `after` says the next attempt needs a challenge.
    expect(second.decision.allowed).toBe(true)
    expect(second.decision.challenge).toBe('required')
    expect(checks()).toBe(2)
    for (let i = 0; i < 10; i++) {
      const refused = await login(request())
      expect(refused.ok).toBe(false)
      expect(refused.decision).toMatchObject({
        allowed: false,
        reason: 'challengeRequired',
        challenge: 'required',
        lockedOut: false,
        failures: 2,
        remaining: 3,
        recorded: false,
      })
    }
    // The password check never ran, nothing was counted: no faster lock for anyone.
    expect(checks()).toBe(2)
    expect((await axes.isAllowed(request(true))).failures).toBe(2)
    expect(events).toHaveLength(10)
    expect(events[0]?.client.username).toBe('alice')
    expect(events[0]?.decision.reason).toBe('challengeRequired')
  })

  it('lets a passed challenge through to the password check, which still counts and still locks', async () => {
    const { login, checks } = setup()
    await login(request())
    await login(request())
    const passed = await login(request(true))
    expect(checks()).toBe(3)
    expect(passed.decision).toMatchObject({ allowed: true, failures: 3, challenge: 'required' })
    await login(request(() => true))
    const locked = await login(request(async () => true))
    expect(locked.decision).toMatchObject({ allowed: false, reason: 'lockedOut', failures: 5 })
    // Locked: the lock answers, whatever the challenge, and the verifier is not asked.
    let asked = 0
    const after = await login(
      request(() => {
        asked++
        return true
      }),
      'right',
    )
    expect(after.decision.reason).toBe('lockedOut')
    expect(asked).toBe(0)
    expect(checks()).toBe(5)
  })

  it('lets the right password in with a passed challenge, marked passed', async () => {
    const { login } = setup()
    await login(request())
    await login(request())
    const ok = await login(request(true), 'right')
    expect(ok.ok).toBe(true)
    expect(ok.decision.challenge).toBe('passed')
  })

  it('refuses a failed challenge, and a verifier that throws, as none', async () => {
    const { login, checks } = setup()
    await login(request())
    await login(request())
    expect((await login(request(false))).decision.reason).toBe('challengeRequired')
    expect((await login(request(async () => false))).decision.reason).toBe('challengeRequired')
    const broken = await login(
      request(() => {
        throw new Error('provider down')
      }),
    )
    expect(broken.decision.reason).toBe('challengeRequired')
    expect(checks()).toBe(2)
  })

  it("asks the option's verify for requests that set no challenge, once per request, only when needed", async () => {
    const seen: string[] = []
    const { axes, login } = setup({
      after: 1,
      verify: (r, client) => {
        seen.push(String(client.username))
        return (r.body as Record<string, unknown>).captcha === 'ok'
      },
    })
    await login(request(undefined, { body: { username: 'alice', captcha: 'ok' } }))
    expect(seen).toEqual([])
    const withToken = request(undefined, { body: { username: 'alice', captcha: 'ok' } })
    // isAllowed (a login page, or a check before the form) then reserve: one verification.
    expect((await axes.isAllowed(withToken)).challenge).toBe('passed')
    expect((await login(withToken)).decision.allowed).toBe(true)
    expect(seen).toEqual(['alice'])
    // The request's own answer comes first.
    const refused = request(false, { body: { username: 'alice', captcha: 'ok' } })
    expect((await login(refused)).decision.reason).toBe('challengeRequired')
    expect(seen).toEqual(['alice'])
  })

  it('does not gate a failure the application reports after its own check (loginFailed)', async () => {
    const { axes, login } = setup()
    await login(request())
    await login(request())
    const reported = await axes.loginFailed(request(), { username: 'alice' })
    expect(reported).toMatchObject({ reason: 'allowed', failures: 3, recorded: true })
  })

  it('answers 403 challenge_required, JSON for JSON clients, distinct from the lockout', async () => {
    const { axes, login } = setup()
    await login(request())
    await login(request())
    const json = request(undefined, { headers: { accept: 'application/json' } })
    const refused = (await login(json)).decision
    const response = await axes.lockoutResponse(json, refused)
    expect(response.status).toBe(403)
    expect(response.headers['retry-after']).toBeUndefined()
    expect(JSON.parse(response.body)).toEqual({
      error: 'challenge_required',
      message: 'Please complete the challenge to sign in.',
      remaining: 3,
    })
    const text = await axes.lockoutResponse(request(), refused)
    expect(text).toMatchObject({ status: 403, body: 'Please complete the challenge to sign in.' })
  })

  it('tells a login page whether to show the challenge (required)', async () => {
    const { axes, guard, login } = setup()
    const page = { ...request(), method: 'GET', body: undefined }
    expect(guard.required(await axes.isAllowed(page, { username: 'alice' }))).toBe(false)
    await login(request())
    expect(guard.required((await login(request())).decision)).toBe(true)
    expect(guard.required(await axes.isAllowed(page, { username: 'alice' }))).toBe(true)
    expect(guard.required(await axes.isAllowed(page, { username: 'bob' }))).toBe(false)
  })

  it("counts a trusted device's own failures, not the username's (device cookies first)", async () => {
    const device = deviceCookies({ secrets: 's'.repeat(32) })
    const axes = createAxes({
      handler: memoryHandler(),
      logger: false,
      failureLimit: 5,
      lockoutParameters: ['username'],
      deviceCookies: device,
      challenges: challenges({ after: 2 }),
    })
    const cookie = (await device.issue('alice', Date.now())).setCookie.split(';')[0] as string
    const creds = { username: 'alice', password: 'x' }
    for (let i = 0; i < 2; i++) await axes.protect(request(), creds, () => null)
    expect((await axes.reserve(request(), creds)).decision.reason).toBe('challengeRequired')
    const trusted = await axes.protect(
      request(undefined, { headers: { cookie } }),
      creds,
      () => 'alice',
    )
    expect(trusted.ok).toBe(true)
  })
})
