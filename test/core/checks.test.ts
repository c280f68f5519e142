/**
 * Checks: django-axes' system checks (axes/checks.py, tests/test_checks.py) as coded warnings,
 * logged once at createAxes, and the start-up line of axes/apps.py (tests/test_logging.py).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { staticChecks } from '../../src/core/checks.js'
import { resolveOptions } from '../../src/core/options.js'
import { DOCS_BASE } from '../../src/ground/help.js'
import {
  type AxesHandler,
  type AxesOptions,
  type AxesRequest,
  CHECKS,
  describeMode,
  dummyHandler,
  fromDjangoSettings,
  memoryHandler,
  testHandler,
  VERSION,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'
import { recordingLogger } from '../support/recording-logger.js'

function ids(options: AxesOptions = {}) {
  return createAxes({ logger: false, ...options })
    .check()
    .map((c) => c.id)
}

function find(options: AxesOptions, id: string) {
  return createAxes({ logger: false, ...options })
    .check()
    .find((c) => c.id === id)
}

function request(overrides: Partial<AxesRequest> = {}): AxesRequest {
  return { method: 'POST', path: '/login', headers: {}, socketAddress: '10.0.0.1', ...overrides }
}

afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('no warnings for a plain configuration (test_missing_settings_no_error)', () => {
  it('the defaults raise no check', () => {
    expect(ids()).toEqual([])
  })
})

describe('axes.W004: deprecated settings', () => {
  it.each([
    ['disableSuccessAccessLog', true],
    ['proxyOrder', 'left-most'],
    ['proxyCount', 1],
    ['proxyTrustedIps', ['10.0.0.1']],
    ['metaPrecedenceOrder', ['REMOTE_ADDR']],
    ['onlyUserFailures', false],
    ['lockOutByUserOrIp', true],
    ['lockOutByCombinationUserAndIp', true],
    ['useUserAgent', true],
  ])('%s is reported', (name, value) => {
    const check = find({ [name]: value, silencedChecks: ['axes.W006', 'axes.W011'] }, 'axes.W004')
    expect(check).toEqual({
      id: 'axes.W004',
      level: 'warning',
      message: `A deprecated setting is configured: ${name}.`,
      hint: CHECKS['axes.W004'].hint,
      help: `${DOCS_BASE}checks.md#axesw004`,
    })
  })

  it("a string logger is django-axes' AXES_LOGGER, reported too", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const axes = createAxes({ logger: 'axes.watch_login', verbose: false })
    expect(axes.check().find((c) => c.id === 'axes.W004')?.message).toBe(
      'A deprecated setting is configured: logger (AXES_LOGGER).',
    )
  })

  it('names several deprecated settings in one check', () => {
    const checks = createAxes({
      logger: false,
      disableSuccessAccessLog: true,
      useUserAgent: true,
    }).check()
    expect(checks.filter((c) => c.id === 'axes.W004')).toHaveLength(1)
    expect(checks.find((c) => c.id === 'axes.W004')?.message).toBe(
      'A deprecated setting is configured: disableSuccessAccessLog, useUserAgent.',
    )
  })

  it('is reported for the Django names through fromDjangoSettings', () => {
    const options = fromDjangoSettings({ AXES_DISABLE_SUCCESS_ACCESS_LOG: true })
    expect(find({ ...options }, 'axes.W004')?.message).toContain('disableSuccessAccessLog')
  })
})

describe('axes.W005: Django dotted paths', () => {
  it('is reported for a dotted path (test_invalid_import_path)', () => {
    const options = fromDjangoSettings({ AXES_USERNAME_CALLABLE: 'module.not_defined' })
    expect(find(options, 'axes.W005')).toEqual({
      id: 'axes.W005',
      level: 'warning',
      message: 'A Django dotted path cannot be imported in Node: AXES_USERNAME_CALLABLE.',
      hint: 'Pass a JavaScript function for these options.',
      help: `${DOCS_BASE}checks.md#axesw005`,
    })
  })

  it('is not reported for a function (test_valid_callable)', () => {
    expect(ids({ cooloffTime: () => 1 })).not.toContain('axes.W005')
  })
})

describe('axes.W006: lockout parameters without ip_address', () => {
  it.each([
    [['username']],
    [['username', 'user_agent']],
    [[['username', 'user_agent']]],
    [['user_agent']],
  ])('is reported for %j (test_invalid_configuration)', (lockoutParameters) => {
    expect(find({ lockoutParameters } as AxesOptions, 'axes.W006')).toEqual({
      id: 'axes.W006',
      level: 'warning',
      message: CHECKS['axes.W006'].message,
      hint: CHECKS['axes.W006'].hint,
      help: `${DOCS_BASE}checks.md#axesw006`,
    })
  })

  it.each([
    [['ip_address']],
    [['ip_address', 'username']],
    [[['username', 'ip_address']]],
    [['username', ['user_agent', 'ip_address']]],
  ])('is not reported for %j (test_valid_configuration)', (lockoutParameters) => {
    expect(ids({ lockoutParameters } as AxesOptions)).not.toContain('axes.W006')
  })

  it('is reported for parameters mapped from deprecated flags (conf.py writes the list)', () => {
    expect(ids({ onlyUserFailures: true })).toContain('axes.W006')
    expect(ids({ lockOutByUserOrIp: true })).not.toContain('axes.W006')
  })

  it('is not checked for a function, which can only be known per request', () => {
    expect(ids({ lockoutParameters: () => ['username'] })).not.toContain('axes.W006')
  })
})

describe('axes.W007: tiers with a cool-off', () => {
  const tiers = [
    { failures: 3, cooloff: { minutes: 15 } },
    { failures: 6, cooloff: { hours: 2 } },
  ]

  it('is not reported for tiers alone (test_tiers_alone_no_warning)', () => {
    expect(ids({ lockoutTiers: tiers, cooloffTime: null })).toEqual([])
  })

  it('is reported for tiers with cooloffTime (test_tiers_with_cooloff_time_warns)', () => {
    expect(find({ lockoutTiers: tiers, cooloffTime: 1 }, 'axes.W007')?.message).toBe(
      CHECKS['axes.W007'].message,
    )
  })
})

describe('axes.W001: a cache handler that is not shared', () => {
  const cacheHandler = (shared: boolean): AxesHandler => ({
    ...testHandler(),
    name: 'local-cache',
    kind: 'cache',
    shared,
  })

  it('is reported for an unshared cache handler (test_cache_check_warnings)', () => {
    expect(ids({ handler: cacheHandler(false) })).toContain('axes.W001')
  })

  it('is not reported for a shared one (test_cache_check)', () => {
    expect(ids({ handler: cacheHandler(true) })).not.toContain('axes.W001')
  })
})

describe('axes.W010: the memory handler with several processes', () => {
  const resolved = resolveOptions({ logger: false })

  it.each([
    [{ WEB_CONCURRENCY: '4' }],
    [{ pm_id: '0' }],
    [{ NODE_APP_INSTANCE: '1' }],
    [{ NODE_UNIQUE_ID: '1' }],
  ])('is reported with %j', (env) => {
    const checks = staticChecks(resolved, memoryHandler(), [], env)
    const w010 = checks.find((c) => c.id === 'axes.W010')
    expect(w010?.message).toMatch(/^The memory handler counts in this process only/)
  })

  it.each([[{}], [{ WEB_CONCURRENCY: '1' }], [{ WEB_CONCURRENCY: 'many' }]])(
    'is not reported with %j',
    (env) => {
      expect(staticChecks(resolved, memoryHandler(), [], env).map((c) => c.id)).not.toContain(
        'axes.W010',
      )
    },
  )

  it('is not reported for handlers that keep nothing or share their store', () => {
    const env = { WEB_CONCURRENCY: '4' }
    expect(staticChecks(resolved, dummyHandler(), [], env)).toEqual([])
    expect(staticChecks(resolved, testHandler(), [], env)).toEqual([])
  })

  it('createAxes reads process.env', () => {
    vi.stubEnv('WEB_CONCURRENCY', '3')
    vi.stubEnv('pm_id', undefined)
    vi.stubEnv('NODE_APP_INSTANCE', undefined)
    expect(ids()).toContain('axes.W010')
    vi.stubEnv('WEB_CONCURRENCY', '1')
    expect(ids()).not.toContain('axes.W010')
  })
})

describe('axes.W011: proxy options without a header to read', () => {
  it('is reported for ipwareProxyCount or ipwareProxyTrustedIps with REMOTE_ADDR only', () => {
    expect(ids({ ipwareProxyCount: 1 })).toContain('axes.W011')
    expect(ids({ ipwareProxyTrustedIps: ['10.0.0.1'] })).toContain('axes.W011')
  })

  it('is not reported when a header is read, an IP callable is set, or no proxy is set', () => {
    expect(
      ids({
        ipwareProxyCount: 1,
        ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      }),
    ).not.toContain('axes.W011')
    expect(ids({ ipwareProxyCount: 1, clientIpCallable: () => '1.2.3.4' })).not.toContain(
      'axes.W011',
    )
    expect(ids({ ipwareProxyTrustedIps: [] })).not.toContain('axes.W011')
  })
})

describe('silencedChecks', () => {
  it('keeps a silenced code out of check() and out of the log', () => {
    const { lines, logger } = recordingLogger()
    const axes = createAxes({
      logger,
      lockoutParameters: ['username'],
      useUserAgent: true,
      silencedChecks: ['axes.W006'],
    })
    expect(axes.check().map((c) => c.id)).toEqual(['axes.W004'])
    expect(lines.some((l) => l.message.includes('axes.W006'))).toBe(false)
    expect(lines.some((l) => l.message.startsWith('axes.W004: '))).toBe(true)
  })

  it('silences runtime checks too', async () => {
    const { lines, logger } = recordingLogger()
    const axes = createAxes({ logger, silencedChecks: ['axes.W003', 'axes.W002'] })
    await axes.loginFailed(request())
    expect(axes.check()).toEqual([])
    expect(lines.some((l) => /axes\.W00[23]/.test(l.message))).toBe(false)
  })
})

describe('logging', () => {
  it('logs each static check once at createAxes, as a warning with its hint', () => {
    const { lines, logger } = recordingLogger()
    const axes = createAxes({
      logger,
      lockoutParameters: ['username'],
      ipwareProxyCount: 1,
      lockoutTiers: [{ failures: 3, cooloff: '1m' }],
      cooloffTime: '1h',
    })
    const warnings = lines.filter((l) => l.level === 'warn').map((l) => l.message)
    expect(warnings).toEqual(
      axes.check().map((c) => `${c.id}: ${c.message} HINT: ${c.hint} See ${c.help}`),
    )
    expect(warnings[0]?.endsWith(` See ${DOCS_BASE}checks.md#axesw006`)).toBe(true)
    expect(axes.check().map((c) => c.id)).toEqual(['axes.W006', 'axes.W007', 'axes.W011'])
    axes.check()
    axes.check()
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(3)
  })

  it('logs a runtime check once, however often it is seen', async () => {
    const { lines, logger } = recordingLogger()
    const axes = createAxes({ logger, failureLimit: 100 })
    for (let i = 0; i < 5; i++) {
      await axes.loginFailed(request({ headers: { 'x-forwarded-for': '1.2.3.4' } }))
    }
    const count = (id: string) => lines.filter((l) => l.message.startsWith(`${id}: `)).length
    expect(count('axes.W003')).toBe(1)
    expect(count('axes.W002')).toBe(1)
    expect(count('axes.W009')).toBe(1)
    expect(axes.check().map((c) => c.id)).toEqual(['axes.W002', 'axes.W003', 'axes.W009'])
  })

  it('reports axes.W012 when no IP can be determined', async () => {
    const axes = createAxes({ logger: false, unknownClientIp: 'shareBucket' })
    await axes.isAllowed(request({ socketAddress: null }))
    expect(axes.check().map((c) => c.id)).toContain('axes.W012')
  })

  it('check() returns copies: changing them changes nothing', () => {
    const axes = createAxes({ logger: false, lockoutParameters: ['username'] })
    axes.check().pop()
    expect(axes.check()).toHaveLength(1)
  })
})

describe('the start-up line (axes/apps.py)', () => {
  const begin = (mode: string) => `AXES: BEGIN version ${VERSION}, ${mode}`

  it.each([
    [['ip_address'], 'blocking by ip_address'],
    [['username'], 'blocking by username'],
    [[['username', 'ip_address']], 'blocking by combination of username and ip_address'],
    [['username', 'ip_address'], 'blocking by username or ip_address'],
    [
      ['ip_address', ['username', 'user_agent']],
      'blocking by ip_address or combination of username and user_agent',
    ],
  ])('%j: "%s", logged once at info level', (lockoutParameters, mode) => {
    const { lines, logger } = recordingLogger()
    const axes = createAxes({
      logger,
      lockoutParameters: lockoutParameters as never,
      silencedChecks: ['axes.W006'],
    })
    expect(describeMode(axes.options)).toBe(mode)
    expect(lines).toEqual([{ level: 'info', message: begin(mode) }])
  })

  it('names a callable', () => {
    const { lines, logger } = recordingLogger()
    createAxes({ logger, lockoutParameters: () => ['ip_address'] })
    expect(lines).toEqual([
      {
        level: 'info',
        message: begin('blocking by parameters that are calculated in a custom callable'),
      },
    ])
  })

  it("is node-axes' default mode, username and IP together", () => {
    const { lines, logger } = recordingLogger()
    createAxes({ logger })
    expect(lines).toEqual([
      { level: 'info', message: begin('blocking by combination of username and ip_address') },
    ])
  })

  it("is django-axes' default ip_address mode through fromDjangoSettings", () => {
    const { lines, logger } = recordingLogger()
    createAxes({ ...fromDjangoSettings({}), logger, silencedChecks: ['axes.W014'] })
    expect(lines).toEqual([{ level: 'info', message: begin('blocking by ip_address') }])
  })

  it('is not logged when not verbose (test_axes_config_log_not_verbose)', () => {
    const { lines, logger } = recordingLogger()
    createAxes({ logger, verbose: false })
    expect(lines).toEqual([])
  })

  it('is not logged when disabled, since verbose follows enabled', () => {
    const { lines, logger } = recordingLogger()
    createAxes({ logger, enabled: false })
    expect(lines).toEqual([])
  })

  it('is logged per instance: no global state', () => {
    const { lines, logger } = recordingLogger()
    createAxes({ logger })
    createAxes({ logger })
    expect(lines.filter((l) => l.message.startsWith('AXES: BEGIN'))).toHaveLength(2)
  })
})
