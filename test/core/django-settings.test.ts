/**
 * `fromDjangoSettings`: every AXES_* setting of django-axes 8.3.1 carried over to node-axes
 * options, dotted paths reported as axes.W005, bad values named by their Django names.
 */
import { describe, expect, it, vi } from 'vitest'
import { DJANGO_SETTINGS } from '../../src/core/django-settings.js'
import { djangoName, optionOfDjangoName } from '../../src/core/options/spec.js'
import { AxesConfigError, type AxesOptions, fromDjangoSettings } from '../../src/index.js'
import { createAxes } from '../support/axes.js'
import { recordingLogger } from '../support/recording-logger.js'

const HOUR = 3_600_000

/** django-axes' defaults where node-axes' own differ: fromDjangoSettings sets them explicitly. */
const DJANGO_DEFAULTS = {
  failureLimit: 3,
  cooloffTime: null,
  lockoutParameters: ['ip_address'],
  unknownClientIp: 'shareBucket',
}

function djangoError(settings: Record<string, unknown>): AxesConfigError {
  try {
    fromDjangoSettings(settings)
  } catch (error) {
    expect(error).toBeInstanceOf(AxesConfigError)
    return error as AxesConfigError
  }
  throw new Error('fromDjangoSettings accepted invalid settings')
}

/** createAxes on the very object fromDjangoSettings returned, with a silent logger added. */
function axesFrom(settings: Record<string, unknown>) {
  const options = fromDjangoSettings(settings)
  options.logger = false
  return createAxes(options)
}

function w005(settings: Record<string, unknown>) {
  return axesFrom(settings)
    .check()
    .find((c) => c.id === 'axes.W005')
}

describe('values carried over', () => {
  // One valid Django value per plain setting, and the option it lands in.
  const VALUES: [string, unknown, keyof AxesOptions][] = [
    ['AXES_ENABLED', false, 'enabled'],
    ['AXES_FAILURE_LIMIT', 10, 'failureLimit'],
    ['AXES_LOCK_OUT_AT_FAILURE', false, 'lockOutAtFailure'],
    ['AXES_LOCKOUT_PARAMETERS', ['ip_address', ['username', 'user_agent']], 'lockoutParameters'],
    ['AXES_USE_ATTEMPT_EXPIRATION', true, 'useAttemptExpiration'],
    ['AXES_RESET_ON_SUCCESS', true, 'resetOnSuccess'],
    ['AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT', false, 'resetCoolOffOnFailureDuringLockout'],
    ['AXES_ONLY_ADMIN_SITE', true, 'onlyAdminSite'],
    ['AXES_NEVER_LOCKOUT_GET', true, 'neverLockoutGet'],
    ['AXES_NEVER_LOCKOUT_WHITELIST', true, 'neverLockoutWhitelist'],
    ['AXES_ONLY_WHITELIST', true, 'onlyWhitelist'],
    ['AXES_IP_WHITELIST', ['127.0.0.1'], 'ipWhitelist'],
    ['AXES_IP_BLACKLIST', ['10.0.0.1'], 'ipBlacklist'],
    ['AXES_USERNAME_FORM_FIELD', 'email', 'usernameFormField'],
    ['AXES_PASSWORD_FORM_FIELD', 'passwd', 'passwordFormField'],
    ['AXES_SENSITIVE_PARAMETERS', ['otp'], 'sensitiveParameters'],
    ['AXES_HTTP_RESPONSE_CODE', 403, 'httpResponseCode'],
    ['AXES_LOCKOUT_URL', '/locked/', 'lockoutUrl'],
    ['AXES_COOLOFF_MESSAGE', 'Wait.', 'cooloffMessage'],
    ['AXES_PERMALOCK_MESSAGE', 'Call us.', 'permalockMessage'],
    ['AXES_ALLOWED_CORS_ORIGINS', 'https://app.example', 'allowedCorsOrigins'],
    ['AXES_ENABLE_RETRY_AFTER_HEADER', true, 'enableRetryAfterHeader'],
    ['AXES_DISABLE_ACCESS_LOG', true, 'disableAccessLog'],
    ['AXES_ENABLE_ACCESS_FAILURE_LOG', true, 'enableAccessFailureLog'],
    ['AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT', 50, 'accessFailureLogPerUserLimit'],
    ['AXES_VERBOSE', false, 'verbose'],
    ['AXES_ENABLE_ADMIN', false, 'enableAdmin'],
    ['AXES_IPWARE_PROXY_ORDER', 'right-most', 'ipwareProxyOrder'],
    ['AXES_IPWARE_PROXY_COUNT', 1, 'ipwareProxyCount'],
    ['AXES_IPWARE_PROXY_TRUSTED_IPS', ['10.0.0.1'], 'ipwareProxyTrustedIps'],
    [
      'AXES_IPWARE_META_PRECEDENCE_ORDER',
      ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      'ipwareMetaPrecedenceOrder',
    ],
    ['AXES_PROXY_ORDER', 'right-most', 'proxyOrder'],
    ['AXES_PROXY_COUNT', 2, 'proxyCount'],
    ['AXES_PROXY_TRUSTED_IPS', ['10.0.0.2'], 'proxyTrustedIps'],
    ['AXES_META_PRECEDENCE_ORDER', ['HTTP_X_REAL_IP'], 'metaPrecedenceOrder'],
    ['AXES_ONLY_USER_FAILURES', true, 'onlyUserFailures'],
    ['AXES_LOCK_OUT_BY_USER_OR_IP', true, 'lockOutByUserOrIp'],
    ['AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP', true, 'lockOutByCombinationUserAndIp'],
    ['AXES_USE_USER_AGENT', true, 'useUserAgent'],
    ['AXES_DISABLE_SUCCESS_ACCESS_LOG', true, 'disableSuccessAccessLog'],
  ]

  it.each(VALUES)('%s = %j → %s', (name, value, option) => {
    const options = fromDjangoSettings({ [name]: value })
    expect(options[option]).toEqual(value)
    expect(() => createAxes({ ...options, logger: false })).not.toThrow()
  })

  it('the table covers every plain setting of the conversion table', () => {
    const plain = Object.entries(DJANGO_SETTINGS)
      .filter(([, conversion]) => conversion.kind === 'value')
      .map(([name]) => name)
    const covered = VALUES.map(([name]) => name)
    for (const name of plain) expect(covered).toContain(name)
  })

  it("names each setting after its option, and each option after its setting (the checks' way back)", () => {
    for (const [name, conversion] of Object.entries(DJANGO_SETTINGS)) {
      if (!('option' in conversion)) continue
      expect(djangoName(conversion.option)).toBe(name)
      expect(optionOfDjangoName(name)).toBe(conversion.option)
    }
    expect(optionOfDjangoName('AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT')).toBe(
      'resetCoolOffOnFailureDuringLockout',
    )
  })

  it('knows every setting django-axes 8.3.1 reads (and the two on its main branch)', () => {
    expect(Object.keys(DJANGO_SETTINGS).sort()).toEqual(
      [
        ...VALUES.map(([name]) => name).filter(
          (n) => n !== 'AXES_FAILURE_LIMIT' && n !== 'AXES_LOCKOUT_PARAMETERS',
        ),
        'AXES_FAILURE_LIMIT',
        'AXES_LOCKOUT_PARAMETERS',
        'AXES_COOLOFF_TIME',
        'AXES_LOCKOUT_TIERS',
        'AXES_WHITELIST_CALLABLE',
        'AXES_USERNAME_CALLABLE',
        'AXES_CLIENT_IP_CALLABLE',
        'AXES_CLIENT_STR_CALLABLE',
        'AXES_LOCKOUT_TEMPLATE',
        'AXES_LOCKOUT_CALLABLE',
        'AXES_HANDLER',
        'AXES_CACHE',
        'AXES_LOGGER',
      ].sort(),
    )
  })

  it('carries a whole settings module over and the instance behaves as configured', async () => {
    const axes = axesFrom({
      DEBUG: true,
      INSTALLED_APPS: ['axes'],
      AXES_FAILURE_LIMIT: 2,
      AXES_LOCKOUT_PARAMETERS: [['username', 'ip_address']],
      AXES_COOLOFF_TIME: 0.25,
      AXES_HTTP_RESPONSE_CODE: 403,
      AXES_USERNAME_FORM_FIELD: 'email',
    })
    expect(axes.options.cooloffTime).toBe(15 * 60_000)
    const request = {
      method: 'POST',
      path: '/login',
      headers: {},
      socketAddress: '10.0.0.1',
      body: { email: 'a@example.com' },
    }
    await axes.loginFailed(request)
    const decision = await axes.loginFailed(request)
    expect(decision.lockedOut).toBe(true)
    expect(decision.client.username).toBe('a@example.com')
    expect((await axes.lockoutResponse(request, decision)).status).toBe(403)
  })

  it('carries AXES_ALLOWED_CORS_ORIGINS as a list over: an XHR lockout grants a listed origin only', async () => {
    const axes = axesFrom({
      AXES_FAILURE_LIMIT: 1,
      AXES_ALLOWED_CORS_ORIGINS: ['https://app.example', 'https://admin.example'],
    })
    expect(axes.options.allowedCorsOrigins).toEqual([
      'https://app.example',
      'https://admin.example',
    ])
    const xhr = (origin: string) => ({
      method: 'POST',
      path: '/login',
      headers: { 'x-requested-with': 'XMLHttpRequest', origin },
      socketAddress: '10.0.0.1',
      body: { username: 'alice' },
    })
    const decision = await axes.loginFailed(xhr('https://admin.example'))
    expect(decision.lockedOut).toBe(true)
    const allowed = await axes.lockoutResponse(xhr('https://admin.example'), decision)
    expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example')
    expect(allowed.headers.vary).toBe('Origin')
    const foreign = await axes.lockoutResponse(xhr('https://evil.example'), decision)
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined()
    expect(foreign.headers.vary).toBe('Origin')
  })

  it('refuses a list of CORS origins with an entry that is not an origin, naming it', () => {
    const error = djangoError({
      AXES_ALLOWED_CORS_ORIGINS: ['https://app.example', 'https://app.example/', 'app.example'],
    })
    expect(error.issues.map((i) => i.key)).toEqual(['AXES_ALLOWED_CORS_ORIGINS'])
    expect(error.issues[0]?.message).toMatch(/"https:\/\/app\.example\/"/)
    expect(error.issues[0]?.message).toMatch(/"app\.example"/)
    expect(error.issues[0]?.message).not.toMatch(/"https:\/\/app\.example",/)
  })

  it('ignores settings that are not django-axes settings', () => {
    expect(
      fromDjangoSettings({ DEBUG: true, SECRET_KEY: 'x', CACHES: {}, axes_enabled: 1 }),
    ).toEqual(DJANGO_DEFAULTS)
  })

  it('leaves out settings whose value is undefined, and AXES_CACHE', () => {
    expect(fromDjangoSettings({ AXES_FAILURE_LIMIT: undefined, AXES_CACHE: 'axes' })).toEqual(
      DJANGO_DEFAULTS,
    )
  })

  it('treats a None AXES_LOCKOUT_PARAMETERS as unset, so the deprecated mapping applies', () => {
    const axes = axesFrom({ AXES_LOCKOUT_PARAMETERS: null, AXES_LOCK_OUT_BY_USER_OR_IP: true })
    expect(axes.options.lockoutParameters).toEqual(['username', 'ip_address'])
  })

  it('an explicit None AXES_IPWARE_PROXY_COUNT wins over AXES_PROXY_COUNT', () => {
    const axes = axesFrom({ AXES_IPWARE_PROXY_COUNT: null, AXES_PROXY_COUNT: 2 })
    expect(axes.options.ipwareProxyCount).toBeNull()
  })
})

describe('AXES_COOLOFF_TIME', () => {
  it.each([
    [3, 3 * HOUR],
    [0.25, 15 * 60_000],
    [1.7, 6120_000],
    ['PT15M', 15 * 60_000],
    ['P0DT01H00M00S', HOUR],
    ['P1DT2H', 26 * HOUR],
    [{ days: 0, seconds: 420, microseconds: 0 }, 420_000],
    [{ days: 1, seconds: 30 }, 86_430_000],
    [{ seconds: 1, microseconds: 500_000 }, 1500],
  ])('%j → %d ms', (value, ms) => {
    expect(axesFrom({ AXES_COOLOFF_TIME: value }).options.cooloffTime).toBe(ms)
  })

  it('None is a lock until reset', () => {
    expect(fromDjangoSettings({ AXES_COOLOFF_TIME: null })).toEqual(DJANGO_DEFAULTS)
  })

  it('a dotted path is dropped and reported as axes.W005', () => {
    const options = fromDjangoSettings({ AXES_COOLOFF_TIME: 'myproject.axes.cooloff' })
    // django-axes' default stands in until a function replaces the path.
    expect(options.cooloffTime).toBeNull()
    expect(w005({ AXES_COOLOFF_TIME: 'myproject.axes.cooloff' })?.message).toContain(
      'AXES_COOLOFF_TIME',
    )
  })

  it.each([true, -1, { days: 'x' }, 'PT'])('refuses %j under its Django name', (value) => {
    const error = djangoError({ AXES_COOLOFF_TIME: value })
    expect(error.issues.map((i) => i.key)).toEqual(['AXES_COOLOFF_TIME'])
    expect(error.message).toContain('invalid Django settings')
  })
})

describe('AXES_LOCKOUT_TIERS', () => {
  it('reads [failures, timedelta] pairs and { failures, cooloff } objects', () => {
    const axes = axesFrom({
      AXES_LOCKOUT_TIERS: [
        [3, { seconds: 900 }],
        { failures: 6, cooloff: { days: 0, seconds: 7200 } },
        [9, 'P1D'],
      ],
    })
    expect(axes.options.lockoutTiers).toEqual([
      { failures: 3, cooloffMs: 15 * 60_000 },
      { failures: 6, cooloffMs: 2 * HOUR },
      { failures: 9, cooloffMs: 24 * HOUR },
    ])
  })

  it('None means no tiers', () => {
    expect(axesFrom({ AXES_LOCKOUT_TIERS: null }).options.lockoutTiers).toEqual([])
  })

  it('refuses bad tiers under AXES_LOCKOUT_TIERS', () => {
    expect(djangoError({ AXES_LOCKOUT_TIERS: 'not a list' }).issues[0]?.key).toBe(
      'AXES_LOCKOUT_TIERS',
    )
    expect(djangoError({ AXES_LOCKOUT_TIERS: [[3]] }).issues[0]?.key).toBe('AXES_LOCKOUT_TIERS')
  })
})

describe('dotted paths → axes.W005', () => {
  it.each([
    'AXES_WHITELIST_CALLABLE',
    'AXES_USERNAME_CALLABLE',
    'AXES_CLIENT_IP_CALLABLE',
    'AXES_CLIENT_STR_CALLABLE',
    'AXES_LOCKOUT_CALLABLE',
    'AXES_FAILURE_LIMIT',
    'AXES_LOCKOUT_PARAMETERS',
    'AXES_LOCKOUT_TEMPLATE',
  ])('%s as a dotted path is dropped and reported', (name) => {
    const options = fromDjangoSettings({ [name]: 'myproject.axes.hook' })
    // Only django-axes' defaults are set (a dropped path's own, until a function replaces it).
    expect(Object.fromEntries(Object.entries(options))).toEqual(DJANGO_DEFAULTS)
    const check = w005({ [name]: 'myproject.axes.hook' })
    expect(check?.message).toBe(`A Django dotted path cannot be imported in Node: ${name}.`)
    expect(check?.hint).toMatch(/function/)
  })

  it('names every dropped path in one check', () => {
    const check = w005({
      AXES_USERNAME_CALLABLE: 'a.b',
      AXES_LOCKOUT_CALLABLE: 'c.d',
      AXES_FAILURE_LIMIT: 5,
    })
    expect(check?.message).toContain('AXES_USERNAME_CALLABLE, AXES_LOCKOUT_CALLABLE')
    expect(check?.message).not.toContain('AXES_FAILURE_LIMIT')
  })

  it('None for a callable setting is simply unset, with no W005', () => {
    expect(fromDjangoSettings({ AXES_USERNAME_CALLABLE: null })).toEqual(DJANGO_DEFAULTS)
    expect(w005({ AXES_USERNAME_CALLABLE: null })).toBeUndefined()
  })

  it('no W005 without dotted paths', () => {
    expect(w005({ AXES_FAILURE_LIMIT: 5 })).toBeUndefined()
  })

  it('a callable setting that is neither a path nor None is refused', () => {
    const error = djangoError({ AXES_USERNAME_CALLABLE: 42, AXES_LOCKOUT_CALLABLE: true })
    expect(error.issues).toEqual([
      { key: 'AXES_USERNAME_CALLABLE', message: 'expects a dotted path or null' },
      { key: 'AXES_LOCKOUT_CALLABLE', message: 'expects a dotted path or null' },
    ])
  })

  it('W005 is logged once by createAxes', () => {
    const { lines, logger } = recordingLogger()
    const options = fromDjangoSettings({ AXES_USERNAME_CALLABLE: 'a.b' })
    options.logger = logger
    createAxes(options)
    const logged = lines.filter((l) => l.message.startsWith('axes.W005'))
    expect(logged).toHaveLength(1)
    expect(logged[0]?.level).toBe('warn')
    expect(logged[0]?.message).toContain('AXES_USERNAME_CALLABLE')
  })

  it('W005 survives spreading the options to add functions, and names only what is still missing', () => {
    const options = fromDjangoSettings({
      AXES_USERNAME_CALLABLE: 'myproject.axes.username',
      AXES_LOCKOUT_CALLABLE: 'myproject.axes.lockout',
    })
    const axes = createAxes({
      ...options,
      logger: false,
      usernameCallable: () => 'someone',
    })
    const check = axes.check().find((c) => c.id === 'axes.W005')
    expect(check?.message).toBe(
      'A Django dotted path cannot be imported in Node: AXES_LOCKOUT_CALLABLE.',
    )
    const all = createAxes({
      ...options,
      logger: false,
      usernameCallable: () => 'someone',
      lockoutCallable: () => ({ status: 429, headers: {}, body: '' }),
    })
    expect(all.check().find((c) => c.id === 'axes.W005')).toBeUndefined()
  })
})

describe('AXES_HANDLER', () => {
  it.each([
    ['axes.handlers.dummy.AxesDummyHandler', 'dummy'],
    ['axes.handlers.test.AxesTestHandler', 'test'],
  ])('%s → %s', (path, handler) => {
    const options = fromDjangoSettings({ AXES_HANDLER: path })
    expect(options.handler).toBe(handler)
    expect(axesFrom({ AXES_HANDLER: path }).handler.name).toBe(handler)
    expect(w005({ AXES_HANDLER: path })).toBeUndefined()
  })

  it('the database handler (Django default) is the database handler', () => {
    expect(
      fromDjangoSettings({ AXES_HANDLER: 'axes.handlers.database.AxesDatabaseHandler' }),
    ).toEqual({ ...DJANGO_DEFAULTS, handler: 'database' })
  })

  it.each([
    'axes.handlers.cache.AxesCacheHandler',
    'axes.handlers.base.AxesHandler',
    'myproject.handlers.Custom',
  ])('%s is reported as axes.W005', (path) => {
    expect(fromDjangoSettings({ AXES_HANDLER: path }).handler).toBeUndefined()
    expect(w005({ AXES_HANDLER: path })?.message).toContain('AXES_HANDLER')
  })

  it('refuses a handler that is not a dotted path', () => {
    expect(djangoError({ AXES_HANDLER: 5 }).issues).toEqual([
      { key: 'AXES_HANDLER', message: 'expects a dotted path to a handler class' },
    ])
  })
})

describe('AXES_LOGGER (deprecated)', () => {
  it('is carried as a string logger, reported by axes.W004', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const options = fromDjangoSettings({ AXES_LOGGER: 'axes.watch_login' })
    expect(options.logger).toBe('axes.watch_login')
    const w004 = createAxes({ ...options, verbose: false })
      .check()
      .find((c) => c.id === 'axes.W004')
    expect(w004?.message).toContain('logger (AXES_LOGGER)')
    // the default logger stands in for the string, and the check is logged through it
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^axes\.W004: /),
      expect.objectContaining({ event: 'check', code: 'axes.W004' }),
    )
    warn.mockRestore()
  })
})

describe('IPWARE_META_PRECEDENCE_ORDER (django-ipware global)', () => {
  it('overrides AXES_IPWARE_META_PRECEDENCE_ORDER, as django-ipware 5+ does', () => {
    const options = fromDjangoSettings({
      AXES_IPWARE_META_PRECEDENCE_ORDER: ['REMOTE_ADDR'],
      IPWARE_META_PRECEDENCE_ORDER: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    })
    expect(options.ipwareMetaPrecedenceOrder).toEqual(['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'])
  })

  it('applies on its own too, and is honoured when resolving the IP', async () => {
    const axes = axesFrom({
      IPWARE_META_PRECEDENCE_ORDER: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      AXES_IPWARE_PROXY_COUNT: 1,
    })
    const decision = await axes.isAllowed({
      method: 'POST',
      path: '/login',
      headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
      socketAddress: '10.0.0.1',
    })
    expect(decision.client.ipAddress).toBe('203.0.113.9')
  })

  it('a bad global order is reported under its own name', () => {
    expect(djangoError({ IPWARE_META_PRECEDENCE_ORDER: [] }).issues[0]?.key).toBe(
      'IPWARE_META_PRECEDENCE_ORDER',
    )
  })
})

describe('refusals', () => {
  it('refuses an AXES_ key django-axes does not know, with every bad key named at once', () => {
    const error = djangoError({
      AXES_COOLOFF_MINUTES: 15,
      AXES_LOGIN_FAILURE_LIMIT: 5,
      AXES_CLIENT_CALLABLE: 'a.b',
      AXES_FAILURE_LIMIT: 5,
    })
    expect(error.issues.map((i) => i.key)).toEqual([
      'AXES_COOLOFF_MINUTES',
      'AXES_LOGIN_FAILURE_LIMIT',
      'AXES_CLIENT_CALLABLE',
    ])
    expect(error.issues[0]?.message).toMatch(/is not a django-axes 8\.3\.1 setting/)
  })

  it('reports bad values under their Django names, all at once', () => {
    const error = djangoError({
      AXES_FAILURE_LIMIT: 0,
      AXES_HTTP_RESPONSE_CODE: 200,
      AXES_LOCKOUT_PARAMETERS: ['ip_address', 'cookie'],
      AXES_IP_WHITELIST: ['not-an-ip'],
      AXES_LOCKOUT_URL: '/locked\r\n',
      AXES_ENABLED: 'yes',
    })
    expect(error.issues.map((i) => i.key).sort()).toEqual(
      [
        'AXES_ENABLED',
        'AXES_FAILURE_LIMIT',
        'AXES_HTTP_RESPONSE_CODE',
        'AXES_IP_WHITELIST',
        'AXES_LOCKOUT_PARAMETERS',
        'AXES_LOCKOUT_URL',
      ].sort(),
    )
    const byKey = Object.fromEntries(error.issues.map((i) => [i.key, i.message]))
    expect(byKey.AXES_LOCKOUT_PARAMETERS).toBe(
      "'cookie' lockout parameter is not allowed. Allowed parameters: username, ip_address, user_agent",
    )
    expect(error.message).not.toMatch(/\bfailureLimit\b/)
  })

  it.each([null, 5, 'AXES_ENABLED', ['AXES_ENABLED']])('refuses %j as settings', (value) => {
    expect(() => fromDjangoSettings(value as never)).toThrow(AxesConfigError)
  })
})
