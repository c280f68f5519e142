/**
 * Events and the per-request API around verification, ported from django-axes'
 * tests/test_signals.py and tests/test_failures.py (user_locked_out once per lockout, one record
 * per failure), tests/test_decorators.py and tests/test_middleware.py (dispatch when allowed, the
 * lockout response otherwise) and tests/test_backends.py (a locked client never reaches the
 * authentication backends).
 */

import { describe, expect, it } from 'vitest'
import {
  type AxesEvents,
  type AxesLogger,
  type AxesOptions,
  type AxesRequest,
  type Credentials,
  VERSION,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const MASK = '********************'
const LOCKED_MESSAGE = 'Account locked: too many login attempts.'

function makeRequest(username: string | null = 'alice', ip = '10.1.1.1'): AxesRequest {
  return {
    method: 'POST',
    path: '/admin/login/',
    headers: { 'user-agent': 'axes-user-agent' },
    socketAddress: ip,
    body: username === null ? {} : { username, password: 'x' },
    sessionId: 'session-1',
  }
}

const wrong = (username = 'alice'): Credentials => ({ username, password: 'wrong' })
const right = (username = 'alice'): Credentials => ({ username, password: 'right' })

const verify = async (credentials: Credentials | null) =>
  credentials?.password === 'right' ? { username: credentials.username as string } : null

function recorder() {
  const errors: { message: string; err: unknown }[] = []
  const logger: AxesLogger = {
    info: () => {},
    warn: () => {},
    error: (record) => errors.push({ message: record.msg, err: record.err }),
  }
  return { logger, errors }
}

function setup(options: AxesOptions = {}) {
  const clock = { now: T0 }
  // django-axes' defaults, which the ported tests assume (no cool-off, ip_address).
  const axes = createAxes({
    logger: false,
    clock: () => clock.now,
    failureLimit: 3,
    cooloffTime: null,
    lockoutParameters: ['ip_address'],
    ...options,
  })
  const seen: { [E in keyof AxesEvents]: AxesEvents[E][] } = {
    decided: [],
    loginFailed: [],
    loggedIn: [],
    loggedOut: [],
    lockedOut: [],
    storeError: [],
    deviceTrusted: [],
    sprayDetected: [],
    challengeRequired: [],
  }
  for (const name of Object.keys(seen) as (keyof AxesEvents)[]) {
    axes.on(name, (payload) => {
      ;(seen[name] as unknown[]).push(payload)
    })
  }
  return { axes, clock, seen }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('events (django-axes signals)', () => {
  it('emits loginFailed once per recorded failure, with the credentials masked', async () => {
    const { axes, seen } = setup({ failureLimit: 10 })
    for (let i = 1; i <= 4; i++) {
      const request = makeRequest()
      await axes.protect(request, wrong(), verify)
      expect(seen.loginFailed).toHaveLength(i)
      const event = seen.loginFailed[i - 1]
      expect(event?.request).toBe(request)
      expect(event?.credentials).toEqual({ username: MASK, password: MASK })
      expect(event?.client).toMatchObject({ ipAddress: '10.1.1.1', username: 'alice' })
      expect(event?.decision).toMatchObject({ allowed: true, failures: i, remaining: 10 - i })
    }
    await axes.loginFailed(makeRequest(), wrong())
    expect(seen.loginFailed).toHaveLength(5)
    expect(seen.loginFailed[4]?.decision.failures).toBe(5)
    // Checking records nothing and emits nothing.
    await axes.isAllowed(makeRequest(), wrong())
    expect(seen.loginFailed).toHaveLength(5)
    expect(seen.lockedOut).toHaveLength(0)
  })

  it('masks only the sensitive keys, as configured', async () => {
    const { axes, seen } = setup({ sensitiveParameters: ['otp'], passwordFormField: 'pin' })
    await axes.loginFailed(makeRequest(), { username: 'alice', pin: '1234', otp: '99', x: 1 })
    expect(seen.loginFailed[0]?.credentials).toEqual({
      username: 'alice',
      pin: MASK,
      otp: MASK,
      x: 1,
    })
  })

  it('emits lockedOut exactly once when the failures reach the limit (test_send_lockout_signal)', async () => {
    const { axes, seen } = setup()
    await axes.protect(makeRequest(), wrong(), verify)
    await axes.protect(makeRequest(), wrong(), verify)
    expect(seen.lockedOut).toHaveLength(0)
    const request = makeRequest()
    const result = await axes.protect(request, wrong(), verify)
    expect(result.decision.reason).toBe('lockedOut')
    expect(seen.lockedOut).toHaveLength(1)
    expect(seen.lockedOut[0]).toMatchObject({
      request,
      username: 'alice',
      ipAddress: '10.1.1.1',
      decision: { reason: 'lockedOut', failures: 3 },
    })
    // The failure that locked is a failure too, reported before the lockout.
    expect(seen.loginFailed).toHaveLength(3)
  })

  it('emits lockedOut again for each attempt refused while locked, with loginFailed when recorded', async () => {
    const { axes, seen } = setup()
    for (let i = 0; i < 3; i++) await axes.protect(makeRequest(), wrong(), verify)
    await axes.protect(makeRequest(), right(), verify)
    await axes.protect(makeRequest('bob'), wrong('bob'), verify)
    await axes.loginFailed(makeRequest(), wrong())
    expect(seen.lockedOut.map((e) => e.decision.failures)).toEqual([3, 4, 5, 6])
    expect(seen.lockedOut.map((e) => e.username)).toEqual(['alice', 'alice', 'bob', 'alice'])
    expect(seen.loginFailed.map((e) => e.decision.failures)).toEqual([1, 2, 3, 4, 5, 6])
    // Checking a locked client is not an attempt: no event.
    await axes.isAllowed(makeRequest(), wrong())
    expect(seen.lockedOut).toHaveLength(4)
  })

  it('with resetCoolOffOnFailureDuringLockout false emits lockedOut for a refused attempt, but records no failure', async () => {
    const { axes, seen } = setup({ resetCoolOffOnFailureDuringLockout: false })
    for (let i = 0; i < 3; i++) await axes.protect(makeRequest(), wrong(), verify)
    await axes.protect(makeRequest(), wrong(), verify)
    await axes.loginFailed(makeRequest(), wrong())
    expect(seen.lockedOut.map((e) => e.decision.failures)).toEqual([3, 3, 3])
    expect(seen.loginFailed).toHaveLength(3)
  })

  it('emits loggedIn on a successful login and loggedOut on a logout', async () => {
    const { axes, seen } = setup()
    const request = makeRequest()
    const result = await axes.protect(request, right(), verify)
    expect(result.ok).toBe(true)
    expect(seen.loggedIn).toHaveLength(1)
    expect(seen.loggedIn[0]).toMatchObject({
      request,
      user: { username: 'alice' },
      client: { username: 'alice', ipAddress: '10.1.1.1' },
    })
    await axes.loggedIn(makeRequest(null), 'carol')
    expect(seen.loggedIn[1]?.client.username).toBe('carol')
    await axes.loggedOut(request, { username: 'alice' })
    expect(seen.loggedOut).toHaveLength(1)
    expect(seen.loggedOut[0]).toMatchObject({ request, client: { username: 'alice' } })
    expect(seen.loginFailed).toHaveLength(0)
  })

  it('emits nothing when disabled', async () => {
    const { axes, seen } = setup({ enabled: false })
    for (let i = 0; i < 5; i++) await axes.protect(makeRequest(), wrong(), verify)
    await axes.protect(makeRequest(), right(), verify)
    await axes.loggedIn(makeRequest())
    await axes.loggedOut(makeRequest())
    expect(Object.values(seen).flat()).toEqual([])
  })

  it('once() listens once; the function on() returns and off() remove a listener', async () => {
    const { axes } = setup({ failureLimit: 10 })
    let once = 0
    let on = 0
    let other = 0
    axes.once('loginFailed', () => once++)
    const off = axes.on('loginFailed', () => on++)
    const listener = () => other++
    axes.on('loginFailed', listener)
    await axes.loginFailed(makeRequest(), wrong())
    off()
    axes.off('loginFailed', listener)
    await axes.loginFailed(makeRequest(), wrong())
    expect([once, on, other]).toEqual([1, 1, 1])
  })

  it('never lets a listener that throws break a login; it is logged and the others still run', async () => {
    const { logger, errors } = recorder()
    const { axes } = setup({ logger })
    const boom = new Error('listener bug')
    axes.on('loginFailed', () => {
      throw boom
    })
    axes.on('lockedOut', () => {
      throw boom
    })
    axes.on('loggedIn', () => {
      throw boom
    })
    let after = 0
    axes.on('loginFailed', () => after++)
    const first = await axes.protect(makeRequest(), wrong(), verify)
    expect(first.decision).toMatchObject({ allowed: true, failures: 1 })
    await axes.protect(makeRequest(), wrong(), verify)
    const third = await axes.protect(makeRequest(), wrong(), verify)
    expect(third.decision).toMatchObject({ reason: 'lockedOut', failures: 3 })
    expect(after).toBe(3)
    const other = await axes.protect(makeRequest('bob', '10.9.9.9'), right('bob'), verify)
    expect(other.ok).toBe(true)
    expect(errors.map((e) => e.message)).toEqual([
      "AXES: a 'loginFailed' listener failed",
      "AXES: a 'loginFailed' listener failed",
      "AXES: a 'loginFailed' listener failed",
      "AXES: a 'lockedOut' listener failed",
      "AXES: a 'loggedIn' listener failed",
    ])
    expect(errors[0]?.err).toBe(boom)
  })

  it('never lets a listener that rejects break a login; the rejection is logged', async () => {
    const { logger, errors } = recorder()
    const { axes } = setup({ logger })
    axes.on('loginFailed', async () => {
      throw new Error('async listener bug')
    })
    const result = await axes.protect(makeRequest(), wrong(), verify)
    expect(result.decision).toMatchObject({ allowed: true, failures: 1 })
    await tick()
    expect(errors).toHaveLength(1)
    expect(errors[0]?.message).toBe("AXES: a 'loginFailed' listener failed")
    expect(errors[0]?.err).toEqual(new Error('async listener bug'))
  })
})

describe('protect: verify only when allowed (axes_dispatch, AxesBackend)', () => {
  it('runs verify once for an allowed client and returns its user', async () => {
    const { axes } = setup()
    const calls: (Credentials | null)[] = []
    const credentials = right()
    const result = await axes.protect(makeRequest(), credentials, (c) => {
      calls.push(c)
      return { id: 7 }
    })
    expect(calls).toEqual([credentials])
    expect(result).toMatchObject({ ok: true, user: { id: 7 }, decision: { reason: 'allowed' } })
  })

  it('never runs verify for a locked client (AxesBackendPermissionDenied)', async () => {
    const { axes } = setup({ failureLimit: 1 })
    await axes.protect(makeRequest(), wrong(), verify)
    let called = false
    const result = await axes.protect(makeRequest(), right(), () => {
      called = true
      return { username: 'alice' }
    })
    expect(called).toBe(false)
    expect(result.ok).toBe(false)
    expect(result.decision).toMatchObject({ allowed: false, reason: 'lockedOut' })
  })

  it('treats every falsy result of verify as wrong credentials', async () => {
    const { axes } = setup({ failureLimit: 10 })
    const falsy = [null, undefined, false, 0, '']
    for (const [i, value] of falsy.entries()) {
      const result = await axes.protect(makeRequest(), wrong(), () => value)
      expect(result.ok).toBe(false)
      expect(result.decision).toMatchObject({ allowed: true, failures: i + 1, recorded: true })
    }
  })

  it('releases the place and rethrows when verify throws, recording nothing', async () => {
    const { axes, seen } = setup({ failureLimit: 1 })
    const error = new Error('database down')
    await expect(
      axes.protect(makeRequest(), right(), () => {
        throw error
      }),
    ).rejects.toBe(error)
    await expect(
      axes.protect(makeRequest(), right(), async () => {
        throw error
      }),
    ).rejects.toBe(error)
    // With a limit of 1, a place still held would refuse the next attempt as tooManyInFlight.
    const next = await axes.protect(makeRequest(), right(), verify)
    expect(next.ok).toBe(true)
    expect(next.decision).toMatchObject({ reason: 'allowed', failures: 0 })
    expect(await axes.listAttempts()).toEqual([])
    expect(seen.loginFailed).toHaveLength(0)
  })

  it('holds the place of an unsettled reservation: the next attempt is refused as tooManyInFlight', async () => {
    const { axes } = setup({ failureLimit: 1 })
    const held = await axes.reserve(makeRequest(), right())
    expect(held.decision).toMatchObject({ allowed: true, reason: 'allowed', failures: 0 })
    const second = await axes.reserve(makeRequest(), right())
    expect(second.decision).toMatchObject({ allowed: false, reason: 'tooManyInFlight' })
    const response = await axes.lockoutResponse(makeRequest(), second.decision)
    expect(response.status).toBe(429)
    await held.release()
    expect((await axes.reserve(makeRequest(), right())).decision.allowed).toBe(true)
  })

  it('frees the place when a reservation succeeds, and logs the login', async () => {
    const { axes, seen } = setup({ failureLimit: 1 })
    const held = await axes.reserve(makeRequest(), right())
    await held.succeeded({ username: 'alice' })
    expect(seen.loggedIn).toHaveLength(1)
    expect((await axes.reserve(makeRequest(), right())).decision.allowed).toBe(true)
  })

  it('records one failure however often failed() is called on one reservation', async () => {
    const { axes, seen } = setup({ failureLimit: 5 })
    const reservation = await axes.reserve(makeRequest(), wrong())
    const first = await reservation.failed()
    const again = await reservation.failed()
    const concurrent = await Promise.all([reservation.failed(), reservation.failed()])
    expect(first).toMatchObject({ allowed: true, failures: 1, recorded: true })
    expect(again).toEqual(first)
    expect(concurrent).toEqual([first, first])
    expect((await axes.isAllowed(makeRequest(), wrong())).failures).toBe(1)
    expect(seen.loginFailed).toHaveLength(1)
  })

  it('settles only once: release() after failed() changes nothing', async () => {
    const { axes } = setup({ failureLimit: 2 })
    const a = await axes.reserve(makeRequest(), wrong())
    await a.failed()
    await a.release()
    await a.succeeded()
    const b = await axes.reserve(makeRequest(), wrong())
    expect(b.decision).toMatchObject({ allowed: true, failures: 1 })
    expect(await b.failed()).toMatchObject({ reason: 'lockedOut', failures: 2 })
  })

  it('answers failed() of a refused reservation with its decision, recording nothing more', async () => {
    const { axes } = setup({ failureLimit: 1 })
    await axes.loginFailed(makeRequest(), wrong())
    const refused = await axes.reserve(makeRequest(), wrong())
    expect(refused.decision).toMatchObject({ reason: 'lockedOut', failures: 2 })
    expect(await refused.failed()).toBe(refused.decision)
    expect((await axes.isAllowed(makeRequest(), wrong())).failures).toBe(2)
  })
})

describe('the lockout response (get_lockout_response, AxesMiddleware)', () => {
  it('answers a lockout with 429 and the message', async () => {
    const { axes } = setup({ failureLimit: 1 })
    const result = await axes.protect(makeRequest(), wrong(), verify)
    const response = await axes.lockoutResponse(makeRequest(), result.decision)
    expect(response.status).toBe(429)
    expect(response.body.startsWith(LOCKED_MESSAGE)).toBe(true)
    expect(response.body).toBe(
      'Account locked: too many login attempts. Contact an admin to unlock your account.',
    )
  })

  it('says "try again later" with a cool-off, and honours httpResponseCode', async () => {
    const { axes } = setup({ failureLimit: 1, cooloffTime: '30m', httpResponseCode: 403 })
    const result = await axes.protect(makeRequest(), wrong(), verify)
    const response = await axes.lockoutResponse(makeRequest(), result.decision)
    expect(response.status).toBe(403)
    expect(response.body).toBe('Account locked: too many login attempts. Please try again later.')
  })

  it('answers an XHR lockout with the JSON lockout context', async () => {
    const { axes } = setup({ failureLimit: 2 })
    await axes.loginFailed(makeRequest(), wrong())
    const decision = await axes.loginFailed(makeRequest(), wrong())
    const xhr: AxesRequest = {
      ...makeRequest(),
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    }
    const response = await axes.lockoutResponse(xhr, decision)
    expect(response.status).toBe(429)
    expect(JSON.parse(response.body)).toEqual({
      failure_limit: 2,
      failure_count: 2,
      username: 'alice',
    })
  })

  it('is only needed for refused decisions: an allowed attempt passes through untouched', async () => {
    const { axes } = setup({ enabled: false })
    const result = await axes.protect(makeRequest(), wrong(), verify)
    expect(result.decision).toMatchObject({ allowed: true, reason: 'disabled' })
  })
})

describe('logging (tests/test_logging.py)', () => {
  function lines(options: AxesOptions) {
    const out: string[] = []
    const logger: AxesLogger = {
      info: (r) => out.push(`info ${r.msg}`),
      warn: (r) => out.push(`warn ${r.msg}`),
      error: (r) => out.push(`error ${r.msg}`),
    }
    const axes = createAxes({ logger, clock: () => T0, failureLimit: 2, ...options })
    return { axes, out }
  }

  it.each([
    [['ip_address'], 'blocking by ip_address'],
    [['username', 'ip_address'], 'blocking by username or ip_address'],
    [[['username', 'ip_address']], 'blocking by combination of username and ip_address'],
    [() => ['ip_address'], 'blocking by parameters that are calculated in a custom callable'],
  ] as [AxesOptions['lockoutParameters'], string][])(
    'logs the start-up line once, with the mode for %j',
    (lockoutParameters, mode) => {
      const { out } = lines({ lockoutParameters })
      expect(out.filter((l) => l.includes('AXES: BEGIN version'))).toHaveLength(1)
      expect(out).toContain(`info AXES: BEGIN version ${VERSION}, ${mode}`)
    },
  )

  it('does not log the start-up line when not verbose', () => {
    expect(lines({ verbose: false }).out.filter((l) => l.includes('BEGIN'))).toEqual([])
    expect(lines({ enabled: false }).out.filter((l) => l.includes('BEGIN'))).toEqual([])
  })

  it('logs each failure with its count and the lockout, masking sensitive fields', async () => {
    const { axes, out } = lines({ verbose: false, lockoutParameters: [['username', 'ip_address']] })
    await axes.loginFailed(makeRequest(), wrong())
    await axes.loginFailed(makeRequest(), wrong())
    const client = `{username: "${MASK}", ip_address: "${MASK}", path_info: "/admin/login/"}`
    expect(out).toContain(`info AXES: Repeated login failure by ${client}. Count = 1 of 2.`)
    expect(out).toContain(`info AXES: Repeated login failure by ${client}. Count = 2 of 2.`)
    expect(out).toContain(`warn AXES: Locked out ${client} after repeated login failures.`)
    expect(out.join('\n')).not.toMatch(/alice|10\.1\.1\.1/)
  })

  it('logs a successful login and a logout', async () => {
    const { axes, out } = lines({ sensitiveParameters: [] })
    await axes.loggedIn(makeRequest())
    await axes.loggedOut(makeRequest())
    expect(out.some((l) => l.startsWith('info AXES: Successful login by {username: "alice"'))).toBe(
      true,
    )
    expect(
      out.some((l) => l.startsWith('info AXES: Successful logout by {username: "alice"')),
    ).toBe(true)
  })
})
