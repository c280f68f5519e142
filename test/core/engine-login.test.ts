/**
 * The engine's login behaviour, ported from django-axes' tests/test_login.py (and the parts of
 * test_handlers.py that exercise a handler through a whole login: check_handler, reset on success,
 * the failure limit as a callable, lock_out_at_failure, the username-less request).
 *
 * django-axes drives a Django test client against the admin login; here each "login" is
 * `axes.protect(request, credentials, verify)` with a verifier that accepts one password, and the
 * status codes become decisions: 302 ↔ `ok: true`, the login form again ↔ `ok: false` with an
 * allowed decision, 429 ↔ `ok: false` with `reason: 'lockedOut'`.
 */

import { describe, expect, it } from 'vitest'
import type {
  AxesOptions,
  AxesRequest,
  Credentials,
  LockoutDecision,
  LockoutParameterItem,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'
import { recordingLogger } from '../support/recording-logger.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const IP_1 = '10.1.1.1'
const IP_2 = '10.2.2.2'
const IP_3 = '10.2.2.3'
const USER_1 = 'valid-user-1'
const USER_2 = 'valid-user-2'
const USER_3 = 'valid-user-3'
const UA_1 = 'test-browser'
const UA_2 = 'test-browser-2'
const VALID_PASSWORD = 'valid-password'
const WRONG_PASSWORD = 'wrong-password'
const LOCKED_MESSAGE = 'Account locked: too many login attempts.'

interface LoginSpec {
  username?: string | null
  password?: string
  ip?: string | null
  ua?: string
  path?: string
  method?: string
}

function makeRequest(spec: LoginSpec = {}): AxesRequest {
  const body: Record<string, unknown> = { password: spec.password ?? WRONG_PASSWORD }
  if (spec.username !== undefined && spec.username !== null) body.username = spec.username
  return {
    method: spec.method ?? 'POST',
    path: spec.path ?? '/admin/login/',
    headers: { 'user-agent': spec.ua ?? UA_1 },
    socketAddress: spec.ip === undefined ? '127.0.0.1' : spec.ip,
    body,
  }
}

function credentialsOf(spec: LoginSpec): Credentials {
  const credentials: Record<string, unknown> = { password: spec.password ?? WRONG_PASSWORD }
  if (spec.username !== undefined) credentials.username = spec.username
  return credentials
}

/**
 * django-axes' defaults, which its tests run with; node-axes' own differ (five failures, a
 * 15-minute cool-off, username and IP together: test/core/defaults.test.ts).
 */
const DJANGO_DEFAULTS: AxesOptions = {
  failureLimit: 3,
  cooloffTime: null,
  lockoutParameters: ['ip_address'],
}

/** An instance with a settable clock and a verifier that counts its calls. */
function setup(options: AxesOptions = {}) {
  const clock = { now: T0 }
  const axes = createAxes({ logger: false, clock: () => clock.now, ...DJANGO_DEFAULTS, ...options })
  const verified: Credentials[] = []
  const verify = async (credentials: Credentials | null) => {
    if (credentials) verified.push(credentials)
    return credentials?.password === VALID_PASSWORD
      ? { username: String(credentials.username) }
      : null
  }
  const login = (spec: LoginSpec = {}) =>
    axes.protect(makeRequest(spec), credentialsOf(spec), verify)
  const fail = (spec: LoginSpec = {}) => login({ ...spec, password: WRONG_PASSWORD })
  const succeed = (spec: LoginSpec = {}) => login({ ...spec, password: VALID_PASSWORD })
  const check = (spec: LoginSpec = {}) => axes.isAllowed(makeRequest(spec), credentialsOf(spec))
  return { axes, clock, verified, login, fail, succeed, check }
}

/** The counting fields of a decision, for compact assertions. */
function counts(decision: LockoutDecision) {
  return {
    allowed: decision.allowed,
    reason: decision.reason,
    failures: decision.failures,
    remaining: decision.remaining,
    lockedUntil: decision.lockedUntil?.getTime() ?? null,
    retryAfterMs: decision.retryAfterMs,
  }
}

const allowedWith = (failures: number, limit: number) => ({
  allowed: true,
  reason: 'allowed',
  failures,
  remaining: Math.max(0, limit - failures),
  lockedUntil: null,
  retryAfterMs: null,
})

const lockedWith = (failures: number, lockedUntil: number | null = null, now = T0) => ({
  allowed: false,
  reason: 'lockedOut',
  failures,
  remaining: 0,
  lockedUntil,
  retryAfterMs: lockedUntil === null ? null : lockedUntil - now,
})

describe('a single client (tests/test_login.py, basic behaviour)', () => {
  it('lets a valid login through (test_login)', async () => {
    const { succeed, verified } = setup({ failureLimit: 10 })
    const result = await succeed({ username: USER_1 })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.user).toEqual({ username: USER_1 })
    expect(counts(result.decision)).toEqual(allowedWith(0, 10))
    expect(verified).toHaveLength(1)
  })

  it('answers the failure that reaches the limit with a lockout (test_lockout_limit_once)', async () => {
    const { fail, axes } = setup({ failureLimit: 10 })
    for (let i = 1; i < 10; i++) {
      const result = await fail({ username: `random-${i}` })
      expect(result.ok).toBe(false)
      expect(counts(result.decision)).toEqual(allowedWith(i, 10))
      expect(result.decision.recorded).toBe(true)
    }
    const last = await fail({ username: 'random-10' })
    expect(last.ok).toBe(false)
    expect(counts(last.decision)).toEqual(lockedWith(10))
    expect(last.decision.lockedOut).toBe(true)
    expect(last.decision.recorded).toBe(true)
    const response = await axes.lockoutResponse(makeRequest(), last.decision)
    expect(response.status).toBe(429)
    expect(response.body.startsWith(LOCKED_MESSAGE)).toBe(true)
  })

  it('stays locked for every later attempt, the verifier never reached (test_lockout_limit_many)', async () => {
    const { fail, succeed, verified } = setup({ failureLimit: 10 })
    for (let i = 0; i < 10; i++) await fail({ username: `random-${i}` })
    expect(verified).toHaveLength(10)
    for (let i = 0; i < 10; i++) {
      const result = await succeed({ username: USER_1 })
      expect(result.ok).toBe(false)
      // django-axes records an attempt refused during a lockout as one more failure (the default
      // AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT=True).
      expect(counts(result.decision)).toEqual(lockedWith(11 + i))
    }
    expect(verified).toHaveLength(10)
  })

  it('keeps the failures after a valid login with resetOnSuccess false (test_reset_on_success_false)', async () => {
    const { fail, succeed, check, axes } = setup({ failureLimit: 10, resetOnSuccess: false })
    for (let i = 1; i < 10; i++) await fail({ username: `random-${i}` })
    const ok = await succeed({ username: USER_1 })
    expect(ok.ok).toBe(true)
    expect(counts(await check())).toEqual(allowedWith(9, 10))
    const result = await fail({ username: 'random-10' })
    expect(counts(result.decision)).toEqual(lockedWith(10))
    expect(await axes.listAttempts()).toHaveLength(1)
  })

  it('clears the failures on a valid login with resetOnSuccess true, then locks again after the limit (test_reset_on_success_true)', async () => {
    const { fail, succeed, check, axes } = setup({ failureLimit: 10, resetOnSuccess: true })
    for (let i = 1; i < 10; i++) await fail({ username: `random-${i}` })
    expect(await axes.listAttempts()).toHaveLength(1)
    expect((await succeed({ username: USER_1 })).ok).toBe(true)
    expect(await axes.listAttempts()).toHaveLength(0)
    expect(counts(await check())).toEqual(allowedWith(0, 10))
    for (let i = 1; i < 10; i++) {
      expect(counts((await fail({ username: `again-${i}` })).decision)).toEqual(allowedWith(i, 10))
    }
    expect(counts((await fail({ username: 'again-10' })).decision)).toEqual(lockedWith(10))
    expect(await axes.listAttempts()).toHaveLength(1)
  })

  it('resets only the logged-in client: another IP keeps its failures', async () => {
    const { fail, succeed, check } = setup({ failureLimit: 10, resetOnSuccess: true })
    for (let i = 0; i < 4; i++) await fail({ username: USER_2, ip: IP_2 })
    for (let i = 0; i < 4; i++) await fail({ username: USER_1, ip: IP_1 })
    await succeed({ username: USER_1, ip: IP_1 })
    expect((await check({ ip: IP_1 })).failures).toBe(0)
    expect((await check({ ip: IP_2 })).failures).toBe(4)
  })

  it('counts but never locks with lockOutAtFailure false (test_handler_without_lockout)', async () => {
    const { fail, succeed, check, verified } = setup({ failureLimit: 3, lockOutAtFailure: false })
    for (let i = 1; i <= 8; i++) {
      const result = await fail({ username: USER_1 })
      expect(result.decision.allowed).toBe(true)
      expect(result.decision.reason).toBe('allowed')
      expect(result.decision.failures).toBe(i)
      expect(result.decision.lockedUntil).toBeNull()
    }
    expect(verified).toHaveLength(8)
    const decision = await check()
    expect(decision).toMatchObject({ allowed: true, reason: 'allowed', failures: 8, remaining: 0 })
    expect((await succeed({ username: USER_1 })).ok).toBe(true)
  })

  it('runs the whole handler cycle: lockout, cool-off, login, logout (check_handler)', async () => {
    const { axes, fail, succeed, clock } = setup({ failureLimit: 3, cooloffTime: { seconds: 2 } })
    const events: string[] = []
    axes.on('lockedOut', () => events.push('lockedOut'))
    axes.on('loggedIn', () => events.push('loggedIn'))
    axes.on('loggedOut', () => events.push('loggedOut'))
    await fail({ username: USER_1 })
    await fail({ username: USER_1 })
    const locked = await fail({ username: USER_1 })
    expect(counts(locked.decision)).toEqual(lockedWith(3, T0 + 2000))
    clock.now = T0 + 2000
    const ok = await succeed({ username: USER_1 })
    expect(ok.ok).toBe(true)
    expect(counts(ok.decision)).toEqual(allowedWith(0, 3))
    await axes.loggedOut(makeRequest({ username: USER_1 }), { username: USER_1 })
    expect(events).toEqual(['lockedOut', 'loggedIn', 'loggedOut'])
  })
})

describe('the lockout-parameter matrix (tests/test_login.py, test_lockout_by_*)', () => {
  // Lock out USER_1 from IP_1 with UA_1 (failure limit 10, as django-axes' test settings), then try a
  // valid login with each combination of same/other user, IP and user agent. A list is OR-ed, an
  // inner list AND-ed: a combination is blocked when one item's fields are all the locked client's.
  //
  // Columns, in order (S = same as the locked client, O = other):
  //   user  S S S S O O O O
  //   ip    S S O O S S O O
  //   ua    S O S O S O S O
  const matrix: [LockoutParameterItem[], string][] = [
    [['ip_address'], 'BBAABBAA'],
    [['username'], 'BBBBAAAA'],
    [[['username', 'ip_address']], 'BBAAAAAA'],
    [['username', 'ip_address'], 'BBBBBBAA'],
    [['user_agent'], 'BABABABA'],
    [['ip_address', 'username', 'user_agent'], 'BBBBBBBA'],
    [[['ip_address', 'username', 'user_agent']], 'BAAAAAAA'],
    [['ip_address', ['username', 'user_agent']], 'BBBABBAA'],
    [
      [
        ['ip_address', 'user_agent'],
        ['username', 'user_agent'],
      ],
      'BABABAAA',
    ],
    [[['ip_address', 'user_agent']], 'BAAABAAA'],
  ]
  const columns: { label: string; username: string; ip: string; ua: string }[] = []
  for (const user of [USER_1, USER_2]) {
    for (const ip of [IP_1, IP_3]) {
      for (const ua of [UA_1, UA_2]) {
        columns.push({
          label: `${user === USER_1 ? 'same' : 'other'} user, ${ip === IP_1 ? 'same' : 'other'} IP, ${ua === UA_1 ? 'same' : 'other'} UA`,
          username: user,
          ip,
          ua,
        })
      }
    }
  }
  const cases = matrix.flatMap(([parameters, row]) =>
    columns.map((column, i) => ({
      parameters,
      ...column,
      expected: row[i] === 'B' ? 'blocked' : 'allowed',
    })),
  )

  it.each(cases)(
    '$parameters: $label → $expected',
    async ({ parameters, username, ip, ua, expected }) => {
      const blocked = expected === 'blocked'
      const { fail, succeed, check, verified } = setup({
        failureLimit: 10,
        lockoutParameters: parameters,
      })
      for (let i = 0; i < 10; i++) await fail({ username: USER_1, ip: IP_1, ua: UA_1 })
      expect(verified).toHaveLength(10)
      const before = await check({ username, ip, ua })
      const result = await succeed({ username, ip, ua })
      if (blocked) {
        expect(counts(before)).toEqual(lockedWith(10))
        expect(result.ok).toBe(false)
        expect(result.decision.reason).toBe('lockedOut')
        expect(verified).toHaveLength(10)
      } else {
        expect(counts(before)).toEqual(allowedWith(0, 10))
        expect(result.ok).toBe(true)
        expect(verified).toHaveLength(11)
      }
    },
  )

  it('locks user1 from IP 1 exactly at the limit for [["username","ip_address"]] (test_lockout_by_combination_user_and_ip)', async () => {
    const { fail } = setup({ failureLimit: 10, lockoutParameters: [['username', 'ip_address']] })
    for (let i = 1; i < 10; i++) {
      expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(
        allowedWith(i, 10),
      )
    }
    expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(lockedWith(10))
  })

  it('with ["username"], a reset of the username lets it in although its IP failed every time (test_lockout_by_only_user_failures)', async () => {
    const { axes, fail, succeed } = setup({ failureLimit: 10, lockoutParameters: ['username'] })
    for (let i = 1; i < 10; i++) {
      expect((await fail({ username: USER_1 })).decision.allowed).toBe(true)
    }
    expect(counts((await fail({ username: USER_1 })).decision)).toEqual(lockedWith(10))
    expect(await axes.reset({ username: USER_1 })).toBe(1)
    expect((await succeed({ username: USER_1 })).ok).toBe(true)
    // Many valid logins in a row never lock anybody out.
    for (let i = 0; i < 11; i++) expect((await succeed({ username: USER_1 })).ok).toBe(true)
  })

  it('counts per (user, IP) pair with AND parameters and limit 2 (…_diff_user_same_ip_using_cache_multiple_attempts)', async () => {
    const { fail, succeed } = setup({
      failureLimit: 2,
      lockoutParameters: [['username', 'ip_address']],
    })
    expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(allowedWith(1, 2))
    expect(counts((await fail({ username: USER_1, ip: IP_2 })).decision)).toEqual(allowedWith(1, 2))
    expect(counts((await fail({ username: USER_2, ip: IP_1 })).decision)).toEqual(allowedWith(1, 2))
    expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(lockedWith(2))
    expect(counts((await fail({ username: USER_1, ip: IP_2 })).decision)).toEqual(lockedWith(2))
    // User 2 can still log in from IP 2: that pair has no failure at all.
    const ok = await succeed({ username: USER_2, ip: IP_2 })
    expect(ok.ok).toBe(true)
    expect(counts(ok.decision)).toEqual(allowedWith(0, 2))
  })

  it('counts the username total and the IP total apart with OR parameters, the larger deciding (…_or_ip_…_multiple_attempts)', async () => {
    const { fail } = setup({ failureLimit: 3, lockoutParameters: ['username', 'ip_address'] })
    expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(allowedWith(1, 3))
    expect(counts((await fail({ username: USER_1, ip: IP_2 })).decision)).toEqual(allowedWith(2, 3))
    // User 1 reaches 3 on its third failure, from any IP: locked everywhere.
    expect(counts((await fail({ username: USER_1, ip: IP_2 })).decision)).toEqual(lockedWith(3))
    // Refused on IP 3 too; the refused attempt is recorded (user 1 → 4, IP 3 → 1).
    expect(counts((await fail({ username: USER_1, ip: IP_3 })).decision)).toEqual(lockedWith(4))
    // IP 1 has one failure left for another user.
    expect(counts((await fail({ username: USER_2, ip: IP_1 })).decision)).toEqual(allowedWith(2, 3))
    // User 1 on IP 1 is refused (and recorded: IP 1 → 3); now IP 1 is locked for everybody.
    expect(counts((await fail({ username: USER_1, ip: IP_1 })).decision)).toEqual(lockedWith(5))
    expect(counts((await fail({ username: USER_2, ip: IP_1 })).decision)).toEqual(lockedWith(4))
    expect(counts((await fail({ username: USER_3, ip: IP_1 })).decision)).toEqual(lockedWith(5))
  })

  it('lets a failure for one user count against the IP shared with another (…_multiple_failed_attempts)', async () => {
    const { fail, succeed } = setup({
      failureLimit: 3,
      lockoutParameters: ['username', 'ip_address'],
    })
    await fail({ username: USER_1, ip: IP_1 })
    await fail({ username: USER_1, ip: IP_2 })
    expect(counts((await fail({ username: USER_2, ip: IP_1 })).decision)).toEqual(allowedWith(2, 3))
    expect(counts((await fail({ username: USER_1, ip: IP_2 })).decision)).toEqual(lockedWith(3))
    // IP 2 has 2 failures, user 2 has 1: still allowed.
    const ok = await succeed({ username: USER_2, ip: IP_2 })
    expect(ok.ok).toBe(true)
    expect(counts(ok.decision)).toEqual(allowedWith(2, 3))
  })
})

describe('requests without a username (test_handlers.py, test_user_login_failed_*_none_username)', () => {
  it('with ["username"] creates nothing for a request without a username, and logs why', async () => {
    const { logger, lines } = recordingLogger()
    const { axes, fail, verified } = setup({
      failureLimit: 2,
      lockoutParameters: ['username'],
      logger,
    })
    for (let i = 0; i < 5; i++) {
      const result = await fail({ username: null })
      expect(result.ok).toBe(false)
      expect(counts(result.decision)).toEqual(allowedWith(0, 2))
      expect(result.decision.recorded).toBe(false)
    }
    expect(verified).toHaveLength(5)
    expect(await axes.listAttempts()).toEqual([])
    expect(lines).toContainEqual({
      level: 'warn',
      message:
        'AXES: Username is None and username is the only one lockout parameter, new record will NOT be created.',
    })
    const loginFailed = await axes.loginFailed(makeRequest({ username: null }), { password: 'x' })
    expect(loginFailed.recorded).toBe(false)
    expect(await axes.listAttempts()).toEqual([])
  })

  it('with the default parameters still counts a request without a username, in the IP bucket', async () => {
    const { axes, fail } = setup({ failureLimit: 2 })
    expect(counts((await fail({ username: null })).decision)).toEqual(allowedWith(1, 2))
    expect(counts((await fail({ username: null })).decision)).toEqual(lockedWith(2))
    const listed = await axes.listAttempts()
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({ ipAddress: '127.0.0.1', username: null, failures: 2 })
  })

  it('with ["username"], a lockout of the empty username leaves requests without one allowed (…_with_empty_username_allows_other_users)', async () => {
    const { fail, check } = setup({ failureLimit: 10, lockoutParameters: ['username'] })
    for (let i = 0; i < 10; i++) await fail({ username: '', ip: IP_1 })
    // The empty string is a username (django-axes stores it too): it is locked …
    expect(counts(await check({ username: '', ip: IP_1 }))).toEqual(lockedWith(10))
    // … but a request without any username (the login page) is not.
    expect(counts(await check({ username: null, ip: IP_1, method: 'GET' }))).toEqual(
      allowedWith(0, 10),
    )
    expect(counts(await check({ username: USER_2, ip: IP_1 }))).toEqual(allowedWith(0, 10))
  })

  it('with [["username","ip_address"]], a lockout of the empty username leaves the login page allowed', async () => {
    const { fail, check } = setup({
      failureLimit: 10,
      lockoutParameters: [['username', 'ip_address']],
    })
    for (let i = 0; i < 10; i++) await fail({ username: '', ip: IP_1 })
    expect(counts(await check({ username: null, ip: IP_1, method: 'GET' }))).toEqual(
      allowedWith(0, 10),
    )
    expect(counts(await check({ username: USER_1, ip: IP_1 }))).toEqual(allowedWith(0, 10))
  })
})

describe('cool-off (tests/test_login.py, test_login_during_lockout_*)', () => {
  it('lifts a lockout when the cool-off has passed, with lockedUntil and retryAfterMs on the way', async () => {
    const { fail, succeed, check, clock } = setup({ failureLimit: 3, cooloffTime: '10m' })
    const cooloff = 600_000
    await fail({ username: USER_1 })
    clock.now = T0 + 1000
    await fail({ username: USER_1 })
    clock.now = T0 + 2000
    const locked = await fail({ username: USER_1 })
    expect(counts(locked.decision)).toEqual(lockedWith(3, T0 + 2000 + cooloff, T0 + 2000))
    expect(locked.decision.cooloffMs).toBe(cooloff)
    clock.now = T0 + 2000 + cooloff - 1
    expect(counts(await check())).toEqual(lockedWith(3, T0 + 2000 + cooloff, clock.now))
    expect((await check()).retryAfterMs).toBe(1)
    clock.now = T0 + 2000 + cooloff
    expect(counts(await check())).toEqual(allowedWith(0, 3))
    const ok = await succeed({ username: USER_1 })
    expect(ok.ok).toBe(true)
  })

  it('counts failures only within the cool-off of the last one', async () => {
    const { fail, clock } = setup({ failureLimit: 3, cooloffTime: '1m' })
    await fail()
    await fail()
    clock.now = T0 + 60_000
    // The two earlier failures expired together: this one is the first again.
    expect(counts((await fail()).decision)).toEqual(allowedWith(1, 3))
  })

  it('with resetCoolOffOnFailureDuringLockout true, an attempt refused during the lockout restarts the cool-off (…_does_reset_cool_off_time)', async () => {
    const { fail, succeed, check, clock } = setup({
      failureLimit: 2,
      cooloffTime: { seconds: 1 },
      resetCoolOffOnFailureDuringLockout: true,
    })
    await fail({ username: USER_1 })
    expect(counts((await fail({ username: USER_1 })).decision)).toEqual(lockedWith(2, T0 + 1000))
    clock.now = T0 + 500
    const during = await fail({ username: USER_1 })
    expect(counts(during.decision)).toEqual(lockedWith(3, T0 + 1500, T0 + 500))
    expect(during.decision.recorded).toBe(true)
    clock.now = T0 + 1000
    const afterOriginal = await succeed({ username: USER_1 })
    expect(afterOriginal.ok).toBe(false)
    expect(afterOriginal.decision.reason).toBe('lockedOut')
    // That refused attempt was recorded too, restarting the cool-off once more.
    expect(counts(await check())).toEqual(lockedWith(4, T0 + 2000, T0 + 1000))
    clock.now = T0 + 2000
    expect((await succeed({ username: USER_1 })).ok).toBe(true)
  })

  it('with resetCoolOffOnFailureDuringLockout false, an attempt refused during the lockout changes nothing (…_doesnt_reset_cool_off_time)', async () => {
    const { fail, succeed, clock, axes } = setup({
      failureLimit: 2,
      cooloffTime: { seconds: 1 },
      resetCoolOffOnFailureDuringLockout: false,
    })
    await fail({ username: USER_1 })
    await fail({ username: USER_1 })
    clock.now = T0 + 500
    const during = await fail({ username: USER_1 })
    expect(counts(during.decision)).toEqual(lockedWith(2, T0 + 1000, T0 + 500))
    expect(during.decision.recorded).toBe(false)
    // The same through loginFailed (an application that reports failures after the fact).
    const reported = await axes.loginFailed(
      makeRequest({ username: USER_1 }),
      credentialsOf({ username: USER_1 }),
    )
    expect(counts(reported)).toEqual(lockedWith(2, T0 + 1000, T0 + 500))
    expect(reported.recorded).toBe(false)
    clock.now = T0 + 1000
    const ok = await succeed({ username: USER_1 })
    expect(ok.ok).toBe(true)
    expect(counts(ok.decision)).toEqual(allowedWith(0, 2))
  })

  it('with resetCoolOffOnFailureDuringLockout true, loginFailed during the lockout records and restarts the cool-off', async () => {
    const { axes, fail, check, clock } = setup({
      failureLimit: 2,
      cooloffTime: { seconds: 1 },
    })
    await fail()
    await fail()
    clock.now = T0 + 700
    const reported = await axes.loginFailed(makeRequest(), credentialsOf({}))
    expect(counts(reported)).toEqual(lockedWith(3, T0 + 1700, T0 + 700))
    expect(reported.recorded).toBe(true)
    clock.now = T0 + 1000
    expect(counts(await check())).toEqual(lockedWith(3, T0 + 1700, T0 + 1000))
  })

  it('without a cool-off, locks until reset', async () => {
    const { fail, check, clock, axes } = setup({ failureLimit: 2 })
    await fail()
    await fail()
    clock.now = T0 + 365 * 86_400_000
    const decision = await check()
    expect(counts(decision)).toEqual(lockedWith(2, null, clock.now))
    expect(decision.cooloffMs).toBeNull()
    const response = await axes.lockoutResponse(makeRequest(), decision)
    expect(response.body).toBe(
      'Account locked: too many login attempts. Contact an admin to unlock your account.',
    )
    expect(await axes.reset({ ip: '127.0.0.1' })).toBe(1)
    expect(counts(await check())).toEqual(allowedWith(0, 2))
  })
})

describe('lockout tiers (honoured for expiry, unlike django-axes: reference §9)', () => {
  const tiers = [
    { failures: 3, cooloff: '1m' },
    { failures: 5, cooloff: '1h' },
  ]

  it('locks at the lowest tier, for its cool-off, reporting the tier', async () => {
    const { fail, check, clock, axes } = setup({ failureLimit: 99, lockoutTiers: tiers })
    const first = await fail()
    expect(counts(first.decision)).toEqual(allowedWith(1, 3))
    expect(first.decision.failureLimit).toBe(3)
    expect(first.decision.tier).toBeNull()
    await fail()
    const locked = await fail()
    expect(counts(locked.decision)).toEqual(lockedWith(3, T0 + 60_000))
    expect(locked.decision.tier).toEqual({ failures: 3, cooloffMs: 60_000 })
    expect(locked.decision.cooloffMs).toBe(60_000)
    const response = await axes.lockoutResponse(makeRequest(), locked.decision)
    expect(response.status).toBe(429)
    expect(response.body).toBe('Account locked: too many login attempts. Please try again later.')
    // django-axes keeps this lock forever (its handlers ignore tiers); node-axes lifts it, and
    // remembers the failures for the longest tier's cool-off, one attempt at a time.
    clock.now = T0 + 59_999
    expect((await check()).allowed).toBe(false)
    clock.now = T0 + 60_000
    expect(counts(await check())).toEqual({ ...allowedWith(3, 3), remaining: 1 })
    clock.now = T0 + 3_600_000
    expect(counts(await check())).toEqual(allowedWith(0, 3))
  })

  it('moves to the next tier as refused attempts keep failing, with its longer cool-off', async () => {
    const { fail, check, clock } = setup({ lockoutTiers: tiers })
    await fail()
    await fail()
    await fail()
    clock.now = T0 + 10_000
    const fourth = await fail()
    expect(counts(fourth.decision)).toEqual(lockedWith(4, T0 + 70_000, T0 + 10_000))
    expect(fourth.decision.tier).toEqual({ failures: 3, cooloffMs: 60_000 })
    clock.now = T0 + 20_000
    const fifth = await fail()
    expect(counts(fifth.decision)).toEqual(lockedWith(5, T0 + 20_000 + 3_600_000, T0 + 20_000))
    expect(fifth.decision.tier).toEqual({ failures: 5, cooloffMs: 3_600_000 })
    expect(fifth.decision.cooloffMs).toBe(3_600_000)
    clock.now = T0 + 20_000 + 60_000
    expect((await check()).allowed).toBe(false)
    clock.now = T0 + 20_000 + 3_600_000
    expect(counts(await check())).toEqual(allowedWith(0, 3))
  })
})

describe('switched off (AXES_ENABLED=False, AxesDummyHandler)', () => {
  for (const options of [{ enabled: false }, { handler: 'dummy' as const }]) {
    it(`${JSON.stringify(options)}: allows every attempt, records nothing, emits no failure`, async () => {
      const { axes, fail, succeed, check, verified } = setup({ failureLimit: 2, ...options })
      const events: string[] = []
      axes.on('loginFailed', () => events.push('loginFailed'))
      axes.on('lockedOut', () => events.push('lockedOut'))
      for (let i = 0; i < 5; i++) {
        const result = await fail({ username: USER_1 })
        expect(result.ok).toBe(false)
        expect(result.decision).toMatchObject({
          allowed: true,
          reason: 'disabled',
          failures: 0,
          recorded: false,
        })
      }
      const reported = await axes.loginFailed(makeRequest(), credentialsOf({ username: USER_1 }))
      expect(reported).toMatchObject({ allowed: true, reason: 'disabled', recorded: false })
      expect(verified).toHaveLength(5)
      expect((await check()).reason).toBe('disabled')
      expect((await succeed({ username: USER_1 })).ok).toBe(true)
      expect(events).toEqual([])
      expect(await axes.listAttempts()).toEqual([])
    })
  }
})

describe('onlyAdminSite (AXES_ONLY_ADMIN_SITE)', () => {
  it('counts and locks under adminPath only; elsewhere allows and records nothing', async () => {
    const { axes, fail, check } = setup({
      failureLimit: 2,
      onlyAdminSite: true,
      adminPath: '/backoffice/',
    })
    for (let i = 0; i < 5; i++) {
      const result = await fail({ path: '/login' })
      expect(result.decision).toMatchObject({
        allowed: true,
        reason: 'notAdminSite',
        failures: 0,
        recorded: false,
      })
    }
    expect(await axes.listAttempts()).toEqual([])
    expect(counts((await fail({ path: '/backoffice/login/' })).decision)).toEqual(allowedWith(1, 2))
    expect(counts((await fail({ path: '/backoffice/login/' })).decision)).toEqual(lockedWith(2))
    expect(counts(await check({ path: '/backoffice/' }))).toEqual(lockedWith(2))
    // The same client is still let through outside the admin site.
    expect((await check({ path: '/login' })).reason).toBe('notAdminSite')
  })

  it("defaults adminPath to Django's /admin/", async () => {
    const { fail } = setup({ failureLimit: 1, onlyAdminSite: true })
    expect((await fail({ path: '/accounts/login/' })).decision.reason).toBe('notAdminSite')
    expect((await fail({ path: '/admin/login/' })).decision.reason).toBe('lockedOut')
  })
})

describe('failureLimit as a function (test_handler_callable_failure_limit)', () => {
  it('locks at the limit the function returns (check_handler with a callable limit of 3)', async () => {
    const { fail, succeed, clock } = setup({ failureLimit: () => 3, cooloffTime: '1s' })
    expect(counts((await fail()).decision)).toEqual(allowedWith(1, 3))
    expect(counts((await fail()).decision)).toEqual(allowedWith(2, 3))
    expect(counts((await fail()).decision)).toEqual(lockedWith(3, T0 + 1000))
    clock.now = T0 + 1000
    expect((await succeed({ username: USER_1 })).ok).toBe(true)
  })

  it('is asked per request, with the request and the credentials', async () => {
    const seen: (string | null)[] = []
    const { fail, check } = setup({
      lockoutParameters: ['username'],
      failureLimit: (request, credentials) => {
        seen.push((credentials?.username as string | undefined) ?? null)
        expect(request.path).toBe('/admin/login/')
        return credentials?.username === 'admin' ? 1 : 4
      },
    })
    expect(counts((await fail({ username: 'admin' })).decision)).toEqual(lockedWith(1))
    expect(counts((await fail({ username: 'bob' })).decision)).toEqual(allowedWith(1, 4))
    expect((await check({ username: 'bob' })).failureLimit).toBe(4)
    expect(seen).toContain('admin')
    expect(seen).toContain('bob')
  })
})
