/**
 * Options: django-axes 8.3.1's defaults (reference §1), the duration forms, the deprecated-flag
 * mapping of `axes/conf.py` (§1f) and the validation that names every bad key at once.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_DATABASE_URL, DEPRECATED_OPTIONS, resolveOptions } from '../../src/core/options.js'
import {
  AxesConfigError,
  type AxesOptions,
  DEFAULT_COOLOFF_MESSAGE,
  DEFAULT_PERMALOCK_MESSAGE,
  fromDjangoSettings,
  OPTION_NAMES,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const quiet = { logger: false } as const

function optionsOf(options: AxesOptions = {}) {
  return createAxes({ ...quiet, ...options }).options
}

/** The AxesConfigError thrown by createAxes for these options. */
function configError(options: Record<string, unknown>): AxesConfigError {
  try {
    createAxes({ ...quiet, ...options } as AxesOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(AxesConfigError)
    return error as AxesConfigError
  }
  throw new Error('createAxes accepted invalid options')
}

const HOUR = 3_600_000

// django-axes' defaults, as fromDjangoSettings keeps them; node-axes' own differ for
// failureLimit, cooloffTime and lockoutParameters (test/core/defaults.test.ts) and equal the rest.
describe('django-axes defaults (reference §1)', () => {
  const o = optionsOf(fromDjangoSettings({}))
  const own = optionsOf()

  it.each([
    ['failureLimit', 5],
    ['lockoutParameters', [['username', 'ip_address']]],
    ['cooloffTime', 15 * 60_000],
  ] as const)("node-axes' own default for %s is %j", (key, expected) => {
    expect(own[key]).toEqual(expected)
  })

  it('are node-axes defaults too, except those three and unknownClientIp', () => {
    const differ = Object.keys(o).filter(
      (key) =>
        JSON.stringify(o[key as keyof typeof o]) !== JSON.stringify(own[key as keyof typeof o]),
    )
    expect(differ.sort()).toEqual([
      'cooloffTime',
      'failureLimit',
      'lockoutParameters',
      'unknownClientIp',
    ])
  })

  it.each([
    ['enabled', true],
    ['failureLimit', 3],
    ['lockOutAtFailure', true],
    ['lockoutParameters', ['ip_address']],
    ['cooloffTime', null],
    ['useAttemptExpiration', false],
    ['resetOnSuccess', false],
    ['resetCoolOffOnFailureDuringLockout', true],
    ['onlyAdminSite', false],
    ['neverLockoutGet', false],
    ['neverLockoutWhitelist', false],
    ['onlyWhitelist', false],
    ['ipWhitelist', null],
    ['ipBlacklist', null],
    ['whitelistCallable', null],
    ['usernameFormField', 'username'],
    ['passwordFormField', 'password'],
    ['usernameCallable', null],
    ['clientIpCallable', null],
    ['clientStrCallable', null],
    ['sensitiveParameters', ['username', 'ip_address']],
    ['httpResponseCode', 429],
    ['lockoutTemplate', null],
    ['lockoutUrl', null],
    ['lockoutCallable', null],
    ['allowedCorsOrigins', '*'],
    ['enableRetryAfterHeader', false],
    ['disableAccessLog', false],
    ['enableAccessFailureLog', false],
    ['accessFailureLogPerUserLimit', 1000],
    ['verbose', true],
    ['enableAdmin', true],
    ['ipwareProxyOrder', 'left-most'],
    ['ipwareProxyCount', null],
    ['ipwareProxyTrustedIps', null],
    ['ipwareMetaPrecedenceOrder', ['REMOTE_ADDR']],
  ] as const)('%s defaults to %j', (key, expected) => {
    expect(o[key as keyof typeof o]).toEqual(expected)
  })

  it("has django-axes' two lockout messages", () => {
    expect(o.cooloffMessage).toBe(
      'Account locked: too many login attempts. Please try again later.',
    )
    expect(o.permalockMessage).toBe(
      'Account locked: too many login attempts. Contact an admin to unlock your account.',
    )
    expect(DEFAULT_COOLOFF_MESSAGE).toBe(o.cooloffMessage)
    expect(DEFAULT_PERMALOCK_MESSAGE).toBe(o.permalockMessage)
  })

  it('has no lockout tiers by default', () => {
    expect(o.lockoutTiers).toEqual([])
  })

  it('keeps failures in the memory handler by default, and node-axes extensions off', () => {
    expect(createAxes(quiet).handler.name).toBe('memory')
    expect(o.ipv6Prefix).toBeNull()
    expect(o.usernameNormalization).toBe(false)
    expect(o.onStoreError).toBe('failClosed')
    expect(o.silencedChecks).toEqual([])
    expect(o.deprecatedGiven).toEqual([])
  })

  it('verbose defaults to the value of enabled (AXES_VERBOSE = AXES_ENABLED)', () => {
    expect(optionsOf({ enabled: false }).verbose).toBe(false)
    expect(optionsOf({ enabled: true }).verbose).toBe(true)
    expect(optionsOf({ enabled: false, verbose: true }).verbose).toBe(true)
    expect(optionsOf({ enabled: true, verbose: false }).verbose).toBe(false)
  })

  it('carries given values over unchanged', () => {
    const fn = () => 5
    const o2 = optionsOf({
      failureLimit: fn,
      httpResponseCode: 403,
      usernameFormField: 'email',
      sensitiveParameters: [],
      allowedCorsOrigins: 'https://app.example',
    })
    expect(o2.failureLimit).toBe(fn)
    expect(o2.httpResponseCode).toBe(403)
    expect(o2.usernameFormField).toBe('email')
    expect(o2.sensitiveParameters).toEqual([])
    expect(o2.allowedCorsOrigins).toBe('https://app.example')
  })
})

describe('durations (cooloffTime)', () => {
  it.each([
    [2, 2 * HOUR],
    [2.0, 120 * 60_000],
    [0.25, 15 * 60_000],
    [1.7, 6120 * 1000],
    ['15m', 15 * 60_000],
    ['2h', 2 * HOUR],
    ['1d', 24 * HOUR],
    ['1h 30m', 90 * 60_000],
    ['PT15M', 15 * 60_000],
    [{ minutes: 15 }, 15 * 60_000],
    [{ hours: 1, minutes: 30 }, 90 * 60_000],
    [{ seconds: 420 }, 420_000],
  ] as const)('%j is %d ms', (input, ms) => {
    expect(optionsOf({ cooloffTime: input }).cooloffTime).toBe(ms)
  })

  it('keeps a function of the request and calls it per request', async () => {
    const seen: string[] = []
    const cooloff = (request: { path: string }) => {
      seen.push(request.path)
      return '90s'
    }
    const axes = createAxes({
      ...quiet,
      cooloffTime: cooloff,
      failureLimit: 1,
      clock: () => 1_000_000,
    })
    expect(axes.options.cooloffTime).toBe(cooloff)
    const decision = await axes.loginFailed({
      method: 'POST',
      path: '/login',
      headers: {},
      socketAddress: '10.0.0.1',
    })
    expect(seen).toContain('/login')
    expect(decision.lockedOut).toBe(true)
    expect(decision.cooloffMs).toBe(90_000)
    expect(decision.retryAfterMs).toBe(90_000)
  })

  it('null is a lock until reset', () => {
    expect(optionsOf({ cooloffTime: null }).cooloffTime).toBeNull()
  })

  it.each([
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    '',
    '15',
    '15 parsecs',
    { minutes: -1 },
    { fortnights: 1 },
  ])('refuses %j with the accepted forms named', (input) => {
    const error = configError({ cooloffTime: input })
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]?.key).toBe('cooloffTime')
    expect(error.message).toMatch(/cooloffTime/)
  })

  it('says that a permanent lockout is null, not 0', () => {
    expect(configError({ cooloffTime: 0 }).message).toMatch(/null/)
  })

  it('reads each tier cooloff in every form and sorts tiers by failures', () => {
    const o = optionsOf({
      lockoutTiers: [
        { failures: 6, cooloff: { hours: 2 } },
        { failures: 3, cooloff: 0.25 },
        { failures: 9, cooloff: '1d' },
      ],
    })
    expect(o.lockoutTiers).toEqual([
      { failures: 3, cooloffMs: 15 * 60_000 },
      { failures: 6, cooloffMs: 2 * HOUR },
      { failures: 9, cooloffMs: 24 * HOUR },
    ])
  })
})

describe('deprecated flags → lockoutParameters (conf.py, reference §1f)', () => {
  it.each([
    // no flag given: node-axes' default (django-axes' would be ['ip_address'])
    [{}, [['username', 'ip_address']]],
    [{ onlyUserFailures: true }, ['username']],
    [{ lockOutByUserOrIp: true }, ['username', 'ip_address']],
    [{ lockOutByCombinationUserAndIp: true }, [['username', 'ip_address']]],
    // precedence: ONLY_USER_FAILURES, then USER_OR_IP, then COMBINATION
    [{ onlyUserFailures: true, lockOutByUserOrIp: true }, ['username']],
    [{ onlyUserFailures: true, lockOutByCombinationUserAndIp: true }, ['username']],
    [{ lockOutByUserOrIp: true, lockOutByCombinationUserAndIp: true }, ['username', 'ip_address']],
    // USE_USER_AGENT is combined into the FIRST element
    [{ useUserAgent: true }, [['ip_address', 'user_agent']]],
    [{ useUserAgent: true, onlyUserFailures: true }, [['username', 'user_agent']]],
    [{ useUserAgent: true, lockOutByUserOrIp: true }, [['username', 'user_agent'], 'ip_address']],
    [
      { useUserAgent: true, lockOutByCombinationUserAndIp: true },
      [['username', 'ip_address', 'user_agent']],
    ],
    // false flags map like absent ones
    [
      {
        onlyUserFailures: false,
        lockOutByUserOrIp: false,
        lockOutByCombinationUserAndIp: false,
        useUserAgent: false,
      },
      ['ip_address'],
    ],
  ] as [AxesOptions, unknown][])('%j → %j', (flags, expected) => {
    expect(optionsOf(flags).lockoutParameters).toEqual(expected)
  })

  it('follows the code, not the docs, for USE_USER_AGENT with USER_OR_IP', () => {
    // docs/2_installation.rst claims [["ip_address","user_agent"],"username"]; conf.py disagrees.
    expect(
      optionsOf({ useUserAgent: true, lockOutByUserOrIp: true }).lockoutParameters,
    ).not.toEqual([['ip_address', 'user_agent'], 'username'])
  })

  it('ignores the flags when lockoutParameters is given', () => {
    expect(
      optionsOf({ lockoutParameters: ['user_agent'], onlyUserFailures: true, useUserAgent: true })
        .lockoutParameters,
    ).toEqual(['user_agent'])
  })

  it('records every deprecated option given (for axes.W004), even when false', () => {
    expect(
      optionsOf({ onlyUserFailures: false, useUserAgent: true, disableSuccessAccessLog: true })
        .deprecatedGiven,
    ).toEqual(['disableSuccessAccessLog', 'onlyUserFailures', 'useUserAgent'])
  })

  it('the mapped parameters drive the counting', async () => {
    const axes = createAxes({ ...quiet, onlyUserFailures: true, failureLimit: 2 })
    const attempt = (ip: string, username: string) =>
      axes.loginFailed({
        method: 'POST',
        path: '/login',
        headers: {},
        socketAddress: ip,
        body: { username },
      })
    await attempt('10.0.0.1', 'alice')
    // another IP, same username: username-only counting locks
    expect((await attempt('10.0.0.2', 'alice')).lockedOut).toBe(true)
    // the first IP with another username is free
    expect((await attempt('10.0.0.1', 'bob')).lockedOut).toBe(false)
  })
})

describe('deprecated ipware names fall back (conf.py)', () => {
  it('uses the deprecated names when the AXES_IPWARE_* ones are absent', () => {
    const o = optionsOf({
      proxyOrder: 'right-most',
      proxyCount: 2,
      proxyTrustedIps: ['10.0.0.1'],
      metaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    })
    expect(o.ipwareProxyOrder).toBe('right-most')
    expect(o.ipwareProxyCount).toBe(2)
    expect(o.ipwareProxyTrustedIps).toEqual(['10.0.0.1'])
    expect(o.ipwareMetaPrecedenceOrder).toEqual(['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'])
    expect(o.deprecatedGiven).toEqual([
      'proxyOrder',
      'proxyCount',
      'proxyTrustedIps',
      'metaPrecedenceOrder',
    ])
  })

  it('prefers the AXES_IPWARE_* names when both are given', () => {
    const o = optionsOf({
      ipwareProxyOrder: 'left-most',
      proxyOrder: 'right-most',
      ipwareProxyCount: 1,
      proxyCount: 2,
      ipwareProxyTrustedIps: ['10.0.0.9'],
      proxyTrustedIps: ['10.0.0.1'],
      ipwareMetaPrecedenceOrder: ['HTTP_X_REAL_IP'],
      metaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR'],
    })
    expect(o.ipwareProxyOrder).toBe('left-most')
    expect(o.ipwareProxyCount).toBe(1)
    expect(o.ipwareProxyTrustedIps).toEqual(['10.0.0.9'])
    expect(o.ipwareMetaPrecedenceOrder).toEqual(['HTTP_X_REAL_IP'])
  })

  it('an explicit null on the AXES_IPWARE_* name wins, as getattr(settings, new, old) does', () => {
    const o = optionsOf({
      ipwareProxyCount: null,
      proxyCount: 2,
      ipwareProxyTrustedIps: null,
      proxyTrustedIps: ['10.0.0.1'],
    })
    expect(o.ipwareProxyCount).toBeNull()
    expect(o.ipwareProxyTrustedIps).toBeNull()
  })

  it('the fallback is honoured when resolving the IP', async () => {
    const axes = createAxes({
      ...quiet,
      metaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      proxyCount: 1,
      failureLimit: 1,
    })
    const decision = await axes.loginFailed({
      method: 'POST',
      path: '/login',
      headers: { 'x-forwarded-for': '203.0.113.5, 10.0.0.2' },
      socketAddress: '10.0.0.2',
    })
    expect(decision.client.ipAddress).toBe('203.0.113.5')
  })
})

describe('validation: one AxesConfigError naming every bad key', () => {
  it('refuses whole numbers past 2^53 and keys inherited from Object.prototype (found by fast-check)', () => {
    // Number.isInteger(2 ** 53) is true, and the IP resolver then threw a bare RangeError.
    for (const key of ['ipwareProxyCount', 'failureLimit', 'accessFailureLogPerUserLimit']) {
      expect(configError({ [key]: 2 ** 53 }).issues.map((i) => i.key)).toEqual([key])
    }
    // A `__proto__` key, as JSON.parse makes it (an own property), once hit Object.prototype as
    // its "check" and threw a TypeError.
    const parsed = JSON.parse('{"__proto__": "15m", "constructor": 1}') as Record<string, unknown>
    expect(
      configError(parsed)
        .issues.map((i) => i.key)
        .sort(),
    ).toEqual(['__proto__', 'constructor'])
  })

  it('names several bad keys at once, each with what it accepts', () => {
    const error = configError({
      failureLimit: 0,
      httpResponseCode: 200,
      enabled: 'yes',
      sensitiveParameters: 'password',
      ipwareProxyOrder: 'middle',
    })
    expect(error.code).toBe('AXES_INVALID_OPTIONS')
    expect(error.issues.map((i) => i.key).sort()).toEqual([
      'enabled',
      'failureLimit',
      'httpResponseCode',
      'ipwareProxyOrder',
      'sensitiveParameters',
    ])
    expect(error.message).toContain('5 problems')
    const byKey = Object.fromEntries(error.issues.map((i) => [i.key, i.message]))
    expect(byKey.failureLimit).toMatch(/whole number of at least 1.*function/)
    expect(byKey.httpResponseCode).toMatch(/400 to 599.*200/)
    expect(byKey.enabled).toMatch(/true or false/)
    expect(byKey.sensitiveParameters).toMatch(/list of strings/)
    expect(byKey.ipwareProxyOrder).toMatch(/'left-most' or 'right-most'/)
    for (const issue of error.issues) expect(error.message).toContain(`${issue.key}: `)
  })

  it('names an unknown key with a "did you mean" hint', () => {
    const error = configError({ failureLimt: 5, cooloffTme: '1h' })
    const byKey = Object.fromEntries(error.issues.map((i) => [i.key, i.message]))
    expect(byKey.failureLimt).toMatch(/is not a node-axes option \(did you mean 'failureLimit'\?\)/)
    expect(byKey.cooloffTme).toMatch(/did you mean 'cooloffTime'/)
  })

  it('names an unknown key without a hint when nothing is close', () => {
    const error = configError({ zzzzzzzzzzzzzzzzzzzz: 1 })
    expect(error.issues[0]?.message).toBe('is not a node-axes option')
  })

  it("refuses Django's setting names with a hint to the option", () => {
    const error = configError({ AXES_FAILURE_LIMIT: 5 })
    expect(error.issues[0]?.key).toBe('AXES_FAILURE_LIMIT')
    expect(error.issues[0]?.message).toMatch(/is not a node-axes option/)
  })

  it("uses django-axes' message for an unknown lockout parameter, top level and combined", () => {
    const allowed = 'Allowed parameters: username, ip_address, user_agent'
    expect(configError({ lockoutParameters: ['x'] }).issues).toEqual([
      { key: 'lockoutParameters', message: `'x' lockout parameter is not allowed. ${allowed}` },
    ])
    expect(
      configError({ lockoutParameters: ['ip_address', ['username', 'wrong_param']] }).issues,
    ).toEqual([
      {
        key: 'lockoutParameters',
        message: `'wrong_param' lockout parameter is not allowed. ${allowed}`,
      },
    ])
  })

  it('refuses a lockoutParameters value that is not a list or a function (django: TypeError)', () => {
    for (const bad of [true, 'ip_address', {}, []]) {
      const error = configError({ lockoutParameters: bad })
      expect(error.issues[0]?.key).toBe('lockoutParameters')
    }
    expect(configError({ lockoutParameters: [[]] }).issues[0]?.message).toMatch(/empty/)
  })

  it('refuses bad tiers, naming each problem (check axes.W008)', () => {
    const error = configError({
      lockoutTiers: [
        { failures: 0, cooloff: '1m' },
        { failures: 3, cooloff: 'soon' },
        { failures: 3, cooloff: '1h' },
        { failures: 5, cooloff: '1h', extra: true },
        'tier',
      ],
    })
    expect(error.issues).toHaveLength(1)
    const message = error.issues[0]?.message ?? ''
    expect(message).toMatch(/tier 0: failures must be a whole number of at least 1/)
    expect(message).toMatch(/tier 1: cooloff invalid duration "soon"/)
    expect(message).toMatch(/tier 2: two tiers start at 3 failures/)
    expect(message).toMatch(/tier 3 has unknown keys extra/)
    expect(message).toMatch(/tier 4 is not an object/)
    expect(message).toMatch(/axes\.W008/)
    expect(configError({ lockoutTiers: [] }).issues[0]?.key).toBe('lockoutTiers')
    expect(configError({ lockoutTiers: 'not a list' }).issues[0]?.key).toBe('lockoutTiers')
  })

  it.each(['/locked\r\nSet-Cookie: a=b', '/locked\n', '/locked\r', '/locked\u0000'])(
    'refuses control characters in lockoutUrl (%j)',
    (url) => {
      const error = configError({ lockoutUrl: url })
      expect(error.issues).toEqual([
        { key: 'lockoutUrl', message: 'must not contain control characters (CR, LF, …)' },
      ])
    },
  )

  it('refuses CR/LF in allowedCorsOrigins, and an empty lockoutUrl', () => {
    expect(configError({ allowedCorsOrigins: '*\r\nX: y' }).issues[0]?.key).toBe(
      'allowedCorsOrigins',
    )
    expect(configError({ lockoutUrl: '' }).issues[0]?.message).toMatch(/URL or null/)
  })

  it('takes allowedCorsOrigins as a list of origins, and refuses what is not one', () => {
    expect(
      createAxes({
        logger: false,
        allowedCorsOrigins: ['https://a.example', 'http://b.example:8080'],
      }).options.allowedCorsOrigins,
    ).toEqual(['https://a.example', 'http://b.example:8080'])
    for (const bad of [
      [],
      ['*'],
      ['https://a.example/'],
      ['https://a.example/path'],
      ['a.example'],
      ['https://a.example, https://b.example'],
      ['https://a.example\r\nX: y'],
      [5],
    ]) {
      const error = configError({ allowedCorsOrigins: bad as never })
      expect(error.issues[0]?.key, JSON.stringify(bad)).toBe('allowedCorsOrigins')
    }
  })

  it('refuses bad IP lists, naming the bad entries', () => {
    const error = configError({ ipWhitelist: ['10.0.0.1', 'nope', '10.0.0.0/99'] })
    expect(error.issues[0]?.message).toMatch(/"nope"/)
    expect(error.issues[0]?.message).toMatch(/"10\.0\.0\.0\/99"/)
    expect(error.issues[0]?.message).not.toMatch(/"10\.0\.0\.1"/)
  })

  it.each([
    [{ handler: 'redis' }, 'handler'],
    [{ handler: {} }, 'handler'],
    [{ logger: 5 }, 'logger'],
    [{ logger: { info() {} } }, 'logger'],
    [{ ipv6Prefix: 0 }, 'ipv6Prefix'],
    [{ ipv6Prefix: 129 }, 'ipv6Prefix'],
    [{ usernameNormalization: 'lower' }, 'usernameNormalization'],
    [{ onStoreError: 'ignore' }, 'onStoreError'],
    [{ usernameFormField: '' }, 'usernameFormField'],
    [{ whitelistCallable: 42 }, 'whitelistCallable'],
    [{ lockoutCallable: 42 }, 'lockoutCallable'],
    [{ usernameCallable: 'myapp.get_username' }, 'usernameCallable'],
    [{ ipwareProxyCount: -1 }, 'ipwareProxyCount'],
    [{ ipwareMetaPrecedenceOrder: [] }, 'ipwareMetaPrecedenceOrder'],
    [{ accessFailureLogPerUserLimit: 1.5 }, 'accessFailureLogPerUserLimit'],
    [{ adminPath: 'admin/' }, 'adminPath'],
    [{ reservationTimeout: null }, 'reservationTimeout'],
    [{ clock: 5 }, 'clock'],
  ] as [Record<string, unknown>, string][])('refuses %j', (options, key) => {
    const error = configError(options)
    expect(error.issues.map((i) => i.key)).toEqual([key])
  })

  it('ignores keys whose value is undefined', () => {
    expect(() => createAxes({ ...quiet, failureLimit: undefined })).not.toThrow()
  })

  it('refuses options that are not an object', () => {
    for (const bad of [null, 5, 'x', []]) {
      expect(() => createAxes(bad as unknown as AxesOptions)).toThrow(AxesConfigError)
    }
  })

  it('keeps long values short in messages', () => {
    const error = configError({ ipwareProxyOrder: 'x'.repeat(10_000) })
    expect(error.message.length).toBeLessThan(300)
  })

  it('OPTION_NAMES lists every option the defaults cover', () => {
    const resolved = Object.keys(optionsOf())
    for (const name of resolved) {
      if (name === 'reservationTimeoutMs' || name === 'deprecatedGiven') continue
      expect(OPTION_NAMES).toContain(name)
    }
  })
})

describe('the options table (src/core/options/)', () => {
  it('gives the database URL one default, DEFAULT_DATABASE_URL', () => {
    expect(DEFAULT_DATABASE_URL).toBe('sqlite:axes.sqlite3')
    expect(resolveOptions({ logger: false }).databaseUrl).toBe(DEFAULT_DATABASE_URL)
  })

  it('gives each instance its own default lists', () => {
    const first = resolveOptions({ logger: false })
    const second = resolveOptions({ logger: false })
    expect(first.sensitiveParameters).toEqual(['username', 'ip_address'])
    expect(first.sensitiveParameters).not.toBe(second.sensitiveParameters)
    expect(first.silencedChecks).not.toBe(second.silencedChecks)
  })

  it('lists the deprecated options in django-axes W004 order, and resolves none of them', () => {
    expect(DEPRECATED_OPTIONS).toEqual([
      'disableSuccessAccessLog',
      'proxyOrder',
      'proxyCount',
      'proxyTrustedIps',
      'metaPrecedenceOrder',
      'onlyUserFailures',
      'lockOutByUserOrIp',
      'lockOutByCombinationUserAndIp',
      'useUserAgent',
    ])
    const resolved = Object.keys(resolveOptions({ logger: false }))
    for (const name of DEPRECATED_OPTIONS) expect(resolved).not.toContain(name)
    expect(resolved).toContain('reservationTimeoutMs')
    expect(resolved).not.toContain('reservationTimeout')
  })
})
