/**
 * Resets, per-request limits and cool-offs, and whitelisting, ported from django-axes'
 * tests/test_handlers.py (ResetAttemptsTestCase, the whitelist case), tests/test_attempts.py
 * (ResetTestCase, ResetResponseTestCase) and tests/test_helpers.py (the per-username cool-off
 * callable).
 *
 * django-axes' database handler stores one row per (username, IP, user agent) and aggregates rows
 * per lockout parameter; the memory handler stores one counter per lockout-parameter bucket. With
 * `[['username', 'ip_address']]` (or the full triple) the buckets are exactly django-axes' rows, so
 * its expected counts carry over unchanged; with other parameters the contract's bucket semantics
 * apply (AxesHandler.resetAttempts), and the tests say which buckets go.
 */

import { describe, expect, it } from 'vitest'
import {
  type AxesLogger,
  type AxesOptions,
  type AxesRequest,
  type Credentials,
  type LockoutParameterItem,
  testHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const VALID_USERNAME = 'axes-valid-username'
const VALID_IP = '127.0.0.1'
const USERNAME_1 = 'foo_username'
const USERNAME_2 = 'bar_username'
const IP_1 = '127.1.0.1'
const IP_2 = '127.1.0.2'

function makeRequest(
  spec: {
    username?: string | null
    ip?: string | null
    method?: string
    query?: AxesRequest['query']
  } = {},
): AxesRequest {
  const body: Record<string, unknown> = { password: 'wrong' }
  if (spec.username) body.username = spec.username
  return {
    method: spec.method ?? 'POST',
    path: '/admin/login/',
    headers: { 'user-agent': 'axes-user-agent' },
    socketAddress: spec.ip === undefined ? VALID_IP : spec.ip,
    body,
    query: spec.query ?? null,
  }
}

function creds(username: string | null | undefined, password = 'wrong'): Credentials {
  return username === undefined ? { password } : { username, password }
}

function setup(options: AxesOptions = {}) {
  const clock = { now: T0 }
  // django-axes' defaults (ip_address, three failures, no cool-off), which its tests assume.
  const axes = createAxes({
    logger: false,
    clock: () => clock.now,
    failureLimit: 3,
    cooloffTime: null,
    lockoutParameters: ['ip_address'],
    ...options,
  })
  const fail = (username: string | null, ip: string | null) =>
    axes.loginFailed(makeRequest({ username, ip }), creds(username))
  const check = (username: string | null, ip: string | null) =>
    axes.isAllowed(makeRequest({ username, ip }), creds(username))
  return { axes, clock, fail, check }
}

/** django-axes' five rows: the default user and IP, and users 1 and 2 × IPs 1 and 2. */
async function fiveAttempts(fail: (username: string | null, ip: string | null) => unknown) {
  await fail(VALID_USERNAME, VALID_IP)
  await fail(USERNAME_1, IP_1)
  await fail(USERNAME_1, IP_2)
  await fail(USERNAME_2, IP_1)
  await fail(USERNAME_2, IP_2)
}

const sorted = (rows: string[]) => [...rows].sort()

/** The stored attempts as `username@ip` strings, sorted. */
async function stored(axes: ReturnType<typeof createAxes>): Promise<string[]> {
  const list = await axes.listAttempts()
  return list.map((a) => `${a.username ?? '-'}@${a.ipAddress ?? '-'}:${a.failures}`).sort()
}

const ROW_PARAMETERS: [string, LockoutParameterItem[]][] = [
  ['[["username","ip_address"]]', [['username', 'ip_address']]],
  ['[["ip_address","username","user_agent"]]', [['ip_address', 'username', 'user_agent']]],
]

describe.each(ROW_PARAMETERS)(
  'axes.reset over the five rows, buckets = rows with %s (ResetAttemptsTestCase)',
  (_, parameters) => {
    it('with no filter removes all 5 (test_handler_reset_attempts)', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset()).toBe(5)
      expect(await stored(axes)).toEqual([])
    })

    it('by username removes its 2 (test_handler_reset_attempts_username)', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset({ username: USERNAME_1 })).toBe(2)
      expect(await stored(axes)).toEqual(
        sorted([
          `${USERNAME_2}@${IP_1}:1`,
          `${USERNAME_2}@${IP_2}:1`,
          `${VALID_USERNAME}@${VALID_IP}:1`,
        ]),
      )
    })

    it('by IP removes its 2 (test_handler_reset_attempts_ip)', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset({ ip: IP_1 })).toBe(2)
      expect(await stored(axes)).toEqual(
        sorted([
          `${USERNAME_1}@${IP_2}:1`,
          `${USERNAME_2}@${IP_2}:1`,
          `${VALID_USERNAME}@${VALID_IP}:1`,
        ]),
      )
    })

    it('by IP and username removes the 1 matching both (test_handler_reset_attempts_ip_and_username)', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset({ ip: IP_1, username: USERNAME_1 })).toBe(1)
      expect(await stored(axes)).toHaveLength(4)
      expect((await stored(axes)).filter((row) => row.includes(`@${IP_1}:`))).toEqual([
        `${USERNAME_2}@${IP_1}:1`,
      ])
      await fail(USERNAME_1, IP_1)
      expect(await axes.reset({ ip: IP_1, username: USERNAME_2 })).toBe(1)
      expect(await axes.reset({ ip: IP_2, username: USERNAME_1 })).toBe(1)
      expect(await stored(axes)).toEqual(
        sorted([
          `${USERNAME_1}@${IP_1}:1`,
          `${USERNAME_2}@${IP_2}:1`,
          `${VALID_USERNAME}@${VALID_IP}:1`,
        ]),
      )
    })

    it('by IP or username removes the 3 matching either (test_handler_reset_attempts_ip_or_username)', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset({ ip: IP_1, username: USERNAME_1, ipOrUsername: true })).toBe(3)
      expect(await stored(axes)).toEqual(
        sorted([`${USERNAME_2}@${IP_2}:1`, `${VALID_USERNAME}@${VALID_IP}:1`]),
      )
    })

    it('returns 0 when nothing matches', async () => {
      const { axes, fail } = setup({ lockoutParameters: parameters })
      await fiveAttempts(fail)
      expect(await axes.reset({ ip: '192.0.2.99' })).toBe(0)
      expect(await axes.reset({ username: 'nobody' })).toBe(0)
      expect(await stored(axes)).toHaveLength(5)
    })
  },
)

describe('axes.reset with one bucket per parameter (the contract’s bucket semantics)', () => {
  it('with OR parameters removes the matching single-field buckets; the other bucket still counts', async () => {
    const { axes, fail, check } = setup({
      failureLimit: 2,
      lockoutParameters: ['username', 'ip_address'],
    })
    await fiveAttempts(fail)
    // username buckets: default 1, user 1 → 2, user 2 → 2; IP buckets: default 1, IP 1 → 2, IP 2 → 2.
    expect(await axes.listAttempts()).toHaveLength(6)
    expect((await check(USERNAME_1, '192.0.2.1')).reason).toBe('lockedOut')
    expect(await axes.reset({ username: USERNAME_1 })).toBe(1)
    expect(await check(USERNAME_1, '192.0.2.1')).toMatchObject({ allowed: true, failures: 0 })
    // User 1 from IP 1 is still refused: the IP bucket holds user 2's failure too.
    expect(await check(USERNAME_1, IP_1)).toMatchObject({ reason: 'lockedOut', failures: 2 })
    expect(await axes.reset({ ip: IP_1 })).toBe(1)
    expect(await check(USERNAME_1, IP_1)).toMatchObject({ allowed: true, failures: 0 })
    expect(await axes.reset({ ip: IP_2, username: USERNAME_2, ipOrUsername: true })).toBe(2)
    expect(await axes.reset({ ip: VALID_IP, username: VALID_USERNAME })).toBe(2)
    expect(await axes.listAttempts()).toEqual([])
  })

  it('with ["ip_address", ["username","ip_address"]], IP and username together remove every bucket whose fields match', async () => {
    const { axes, fail } = setup({
      lockoutParameters: ['ip_address', ['username', 'ip_address']],
    })
    await fiveAttempts(fail)
    expect(await axes.listAttempts()).toHaveLength(8)
    // i=IP 1 (holds only the IP, which matches) and (IP 1, user 1); not (IP 1, user 2).
    expect(await axes.reset({ ip: IP_1, username: USERNAME_1 })).toBe(2)
    expect(await stored(axes)).toEqual(
      sorted([
        `-@${IP_2}:2`,
        `-@${VALID_IP}:1`,
        `${USERNAME_1}@${IP_2}:1`,
        `${USERNAME_2}@${IP_1}:1`,
        `${USERNAME_2}@${IP_2}:1`,
        `${VALID_USERNAME}@${VALID_IP}:1`,
      ]),
    )
  })

  it('resets by the IP as counted: IPv6 text normalised, grouped by ipv6Prefix', async () => {
    const { axes, fail, check } = setup({ failureLimit: 1, ipv6Prefix: 64 })
    await fail(null, '2001:db8:0:0:1::5')
    expect((await check(null, '2001:db8::ffff')).reason).toBe('lockedOut')
    expect(await axes.reset({ ip: '2001:DB8::1' })).toBe(1)
    expect((await check(null, '2001:db8:0:0:1::5')).allowed).toBe(true)
    const exact = setup({ failureLimit: 1 })
    await exact.fail(null, '2001:db8::1')
    expect(await exact.axes.reset({ ip: '2001:DB8:0:0::1' })).toBe(1)
  })

  it('unlocks the client it resets (test_reset_ip, test_reset_username)', async () => {
    const { axes, fail, check } = setup({ failureLimit: 1, lockoutParameters: ['username'] })
    await fail(USERNAME_1, IP_1)
    expect((await check(USERNAME_1, IP_2)).reason).toBe('lockedOut')
    expect(await axes.reset({ username: USERNAME_1 })).toBe(1)
    expect((await check(USERNAME_1, IP_2)).allowed).toBe(true)
    const byIp = setup({ failureLimit: 1 })
    await byIp.fail(USERNAME_1, IP_1)
    expect((await byIp.check(USERNAME_2, IP_1)).reason).toBe('lockedOut')
    expect(await byIp.axes.reset({ ip: IP_1 })).toBe(1)
    expect((await byIp.check(USERNAME_2, IP_1)).allowed).toBe(true)
  })
})

describe('axes.resetRequest (axes.utils.reset_request; ResetResponseTestCase)', () => {
  // The request of each case: none (no IP, no username), the IP only, the `username` query
  // parameter only, or both.
  const variants = {
    none: { ip: null, query: {} },
    ip: { ip: IP_1, query: {} },
    username: { ip: null, query: { username: USERNAME_1 } },
    both: { ip: IP_1, query: { username: USERNAME_1 } },
  } as const
  type Variant = keyof typeof variants

  // What the request resets: the filter passed to the handler (django-axes' reset(ip, username,
  // ip_or_username)), or null for no reset at all.
  const filters: [string, LockoutParameterItem[], Record<Variant, object | null>][] = [
    [
      'default ["ip_address"]',
      ['ip_address'],
      {
        none: null,
        ip: { ipAddress: IP_1, ipOrUsername: false },
        username: null,
        both: { ipAddress: IP_1, ipOrUsername: false },
      },
    ],
    [
      '["username"]',
      ['username'],
      {
        none: null,
        ip: null,
        username: { username: USERNAME_1, ipOrUsername: false },
        both: { username: USERNAME_1, ipOrUsername: false },
      },
    ],
    [
      'OR ["username","ip_address"]',
      ['username', 'ip_address'],
      {
        none: null,
        ip: { ipAddress: IP_1, ipOrUsername: false },
        username: { username: USERNAME_1, ipOrUsername: false },
        both: { ipAddress: IP_1, username: USERNAME_1, ipOrUsername: true },
      },
    ],
    [
      'AND [["username","ip_address"]]',
      [['username', 'ip_address']],
      {
        none: null,
        ip: { ipAddress: IP_1, ipOrUsername: false },
        username: { username: USERNAME_1, ipOrUsername: false },
        both: { ipAddress: IP_1, username: USERNAME_1, ipOrUsername: false },
      },
    ],
  ]

  describe.each(filters)('%s', (_, parameters, expected) => {
    it.each(Object.keys(variants) as Variant[])(
      'passes the reset filter of django-axes for the "%s" request',
      async (variant) => {
        const handler = testHandler()
        const axes = createAxes({ logger: false, handler, lockoutParameters: parameters })
        const { ip, query } = variants[variant]
        expect(await axes.resetRequest(makeRequest({ ip, query }))).toBe(0)
        const calls = handler.calls.filter((call) => call.method === 'resetAttempts')
        if (expected[variant] === null) expect(calls).toEqual([])
        else expect(calls).toEqual([{ method: 'resetAttempts', input: expected[variant] }])
      },
    )
  })

  const ALL_FIVE = [
    `${USERNAME_1}@${IP_1}:1`,
    `${USERNAME_1}@${IP_2}:1`,
    `${USERNAME_2}@${IP_1}:1`,
    `${USERNAME_2}@${IP_2}:1`,
    `${VALID_USERNAME}@${VALID_IP}:1`,
  ]

  // The effect on the memory handler, as attempts left over django-axes' five rows. With the AND
  // parameters the buckets are the rows, and django-axes' counts (5/3/3/4) hold exactly.
  const effects: [string, LockoutParameterItem[], Record<Variant, [number, string[]]>][] = [
    [
      'default ["ip_address"]',
      ['ip_address'],
      {
        none: [0, [`-@${IP_1}:2`, `-@${IP_2}:2`, `-@${VALID_IP}:1`]],
        ip: [1, [`-@${IP_2}:2`, `-@${VALID_IP}:1`]],
        username: [0, [`-@${IP_1}:2`, `-@${IP_2}:2`, `-@${VALID_IP}:1`]],
        both: [1, [`-@${IP_2}:2`, `-@${VALID_IP}:1`]],
      },
    ],
    [
      '["username"]',
      ['username'],
      {
        none: [0, [`${USERNAME_2}@-:2`, `${USERNAME_1}@-:2`, `${VALID_USERNAME}@-:1`]],
        ip: [0, [`${USERNAME_2}@-:2`, `${USERNAME_1}@-:2`, `${VALID_USERNAME}@-:1`]],
        username: [1, [`${USERNAME_2}@-:2`, `${VALID_USERNAME}@-:1`]],
        both: [1, [`${USERNAME_2}@-:2`, `${VALID_USERNAME}@-:1`]],
      },
    ],
    [
      'AND [["username","ip_address"]]',
      [['username', 'ip_address']],
      {
        none: [0, ALL_FIVE],
        ip: [
          2,
          [`${USERNAME_1}@${IP_2}:1`, `${USERNAME_2}@${IP_2}:1`, `${VALID_USERNAME}@${VALID_IP}:1`],
        ],
        username: [
          2,
          [`${USERNAME_2}@${IP_1}:1`, `${USERNAME_2}@${IP_2}:1`, `${VALID_USERNAME}@${VALID_IP}:1`],
        ],
        both: [
          1,
          [
            `${USERNAME_1}@${IP_2}:1`,
            `${USERNAME_2}@${IP_1}:1`,
            `${USERNAME_2}@${IP_2}:1`,
            `${VALID_USERNAME}@${VALID_IP}:1`,
          ],
        ],
      },
    ],
  ]

  describe.each(effects)('%s on the memory handler', (_, parameters, expected) => {
    it.each(Object.keys(variants) as Variant[])(
      'removes what the "%s" request names',
      async (variant) => {
        const { axes, fail } = setup({ lockoutParameters: parameters })
        await fiveAttempts(fail)
        const { ip, query } = variants[variant]
        const [removed, left] = expected[variant]
        expect(await axes.resetRequest(makeRequest({ ip, query }))).toBe(removed)
        expect(await stored(axes)).toEqual(sorted(left))
      },
    )
  })

  it('with OR parameters and both IP and username removes either bucket (5/3/3/2 in rows)', async () => {
    const { axes, fail } = setup({ lockoutParameters: ['username', 'ip_address'] })
    await fiveAttempts(fail)
    expect(
      await axes.resetRequest(makeRequest({ ip: IP_1, query: { username: USERNAME_1 } })),
    ).toBe(2)
    expect(await stored(axes)).toEqual(
      [`-@${IP_2}:2`, `-@${VALID_IP}:1`, `${USERNAME_2}@-:2`, `${VALID_USERNAME}@-:1`].sort(),
    )
  })

  it('reads the username from a URLSearchParams query, and never from the body', async () => {
    const { axes, fail } = setup({ lockoutParameters: ['username'] })
    await fiveAttempts(fail)
    const fromBody: AxesRequest = { ...makeRequest({ ip: IP_1 }), body: { username: USERNAME_1 } }
    expect(await axes.resetRequest(fromBody)).toBe(0)
    const request = makeRequest({ ip: IP_1, query: new URLSearchParams({ username: USERNAME_1 }) })
    expect(await axes.resetRequest(request)).toBe(1)
  })
})

describe('per-request cool-off and limit (test_helpers.py cache timeout callable)', () => {
  it('gives each username its own cool-off from a function of the request', async () => {
    const durations: Record<string, string> = { ben: '5m', jen: '10m' }
    const asked: string[] = []
    const { fail, check, clock } = setup({
      failureLimit: 2,
      lockoutParameters: ['username'],
      cooloffTime: (request) => {
        const username = (request.body as Record<string, unknown>).username
        asked.push(String(username))
        return typeof username === 'string' ? (durations[username] ?? '1m') : '1m'
      },
    })
    for (const name of ['ben', 'jen', 'james']) {
      await fail(name, IP_1)
      const locked = await fail(name, IP_1)
      const cooloff = { ben: 300_000, jen: 600_000, james: 60_000 }[name] as number
      expect(locked).toMatchObject({ reason: 'lockedOut', failures: 2, cooloffMs: cooloff })
      expect(locked.lockedUntil?.getTime()).toBe(T0 + cooloff)
      expect(locked.retryAfterMs).toBe(cooloff)
    }
    expect(asked).toEqual(expect.arrayContaining(['ben', 'jen', 'james']))
    clock.now = T0 + 60_000
    expect((await check('james', IP_1)).allowed).toBe(true)
    expect((await check('ben', IP_1)).reason).toBe('lockedOut')
    clock.now = T0 + 300_000
    expect((await check('ben', IP_1)).allowed).toBe(true)
    expect((await check('jen', IP_1)).reason).toBe('lockedOut')
    clock.now = T0 + 600_000
    expect((await check('jen', IP_1)).allowed).toBe(true)
  })

  it('locks until reset when the function returns null', async () => {
    const { fail, check, clock } = setup({
      failureLimit: 1,
      cooloffTime: () => null,
    })
    const locked = await fail(USERNAME_1, IP_1)
    expect(locked).toMatchObject({ reason: 'lockedOut', cooloffMs: null, lockedUntil: null })
    clock.now = T0 + 10 * 365 * 86_400_000
    expect((await check(USERNAME_1, IP_1)).reason).toBe('lockedOut')
  })
})

describe('whitelisted failures are not recorded (test_handlers.py test_whitelist)', () => {
  function recorder() {
    const lines: string[] = []
    const logger: AxesLogger = {
      info: (r) => lines.push(r.msg),
      warn: (r) => lines.push(r.msg),
      error: (r) => lines.push(r.msg),
    }
    return { logger, lines }
  }

  it('with neverLockoutWhitelist and ipWhitelist: allowed, nothing stored, logged', async () => {
    const { logger, lines } = recorder()
    const { axes } = setup({
      failureLimit: 1,
      neverLockoutWhitelist: true,
      ipWhitelist: [IP_1],
      logger,
    })
    for (let i = 0; i < 3; i++) {
      const decision = await axes.loginFailed(makeRequest({ ip: IP_1, username: USERNAME_1 }))
      expect(decision).toMatchObject({
        allowed: true,
        reason: 'whitelisted',
        failures: 0,
        recorded: false,
      })
      let verified = 0
      const result = await axes.protect(
        makeRequest({ ip: IP_1, username: USERNAME_1 }),
        creds(USERNAME_1),
        () => {
          verified++
          return null
        },
      )
      expect(verified).toBe(1)
      expect(result.decision).toMatchObject({ reason: 'whitelisted', recorded: false })
    }
    expect(await axes.listAttempts()).toEqual([])
    expect(lines.some((line) => line.startsWith('AXES: Login from whitelisted client'))).toBe(true)
    // A client outside the whitelist is still counted.
    expect(await axes.loginFailed(makeRequest({ ip: IP_2 }))).toMatchObject({
      reason: 'lockedOut',
      recorded: true,
    })
  })

  it('with whitelistCallable and neverLockoutGet: allowed, nothing stored', async () => {
    const { axes } = setup({
      failureLimit: 1,
      whitelistCallable: (_request, credentials) => credentials?.username === 'trusted',
      neverLockoutGet: true,
    })
    expect(await axes.loginFailed(makeRequest(), creds('trusted'))).toMatchObject({
      reason: 'whitelisted',
      recorded: false,
    })
    expect(await axes.loginFailed(makeRequest({ method: 'GET' }), creds('x'))).toMatchObject({
      reason: 'whitelisted',
      recorded: false,
    })
    expect(await axes.listAttempts()).toEqual([])
  })

  it('refuses a blacklisted IP at once, before any verification, recording nothing', async () => {
    const { axes } = setup({ ipBlacklist: [IP_1] })
    let verified = 0
    const result = await axes.protect(makeRequest({ ip: IP_1 }), creds(USERNAME_1), () => {
      verified++
      return { username: USERNAME_1 }
    })
    expect(verified).toBe(0)
    expect(result.ok).toBe(false)
    expect(result.decision).toMatchObject({
      allowed: false,
      reason: 'blacklisted',
      recorded: false,
    })
    expect(await axes.listAttempts()).toEqual([])
  })
})
