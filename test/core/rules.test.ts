/**
 * The rule book (src/core/rules.ts): the lockout parameters and the lockout rule of a request,
 * from fixed options or from the application's functions, whose results are checked; a rule that
 * cannot depend on the request is computed once.
 */
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../src/core/options.js'
import { RuleBook } from '../../src/core/rules.js'
import { AxesCallableError, type AxesOptions, type AxesRequest } from '../../src/index.js'

function book(options: AxesOptions = {}) {
  return new RuleBook(resolveOptions({ logger: false, ...options }))
}

const request = (path = '/login'): AxesRequest => ({
  method: 'POST',
  path,
  headers: {},
  socketAddress: '127.0.0.1',
})

/** The AxesCallableError thrown by `run`, checked to name `option`. */
function callableError(run: () => unknown, option: string): AxesCallableError {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(AxesCallableError)
  expect((caught as AxesCallableError).option).toBe(option)
  return caught as AxesCallableError
}

describe('RuleBook: the rule', () => {
  it('maps every option into the rule', () => {
    const rule = book({
      failureLimit: 4,
      cooloffTime: '2m',
      lockOutAtFailure: false,
      resetCoolOffOnFailureDuringLockout: true,
      reservationTimeout: '7s',
    }).rule(request(), null)
    expect(rule).toEqual({
      failureLimit: 4,
      cooloffMs: 120_000,
      tiers: [],
      lockOutAtFailure: false,
      recordLockedAttempts: true,
      reservationTtlMs: 7_000,
    })
    expect(book({ resetCoolOffOnFailureDuringLockout: false }).rule(request(), null)).toMatchObject(
      { lockOutAtFailure: true, recordLockedAttempts: false },
    )
  })

  it('a rule that cannot depend on the request is computed once, frozen, and listed', () => {
    const rules = book({ failureLimit: 4 })
    expect(rules.isStatic).toBe(true)
    const first = rules.rule(request(), null)
    expect(Object.isFrozen(first)).toBe(true)
    expect(rules.rule(request('/other'), null)).toBe(first)
    expect(rules.listingRule()).toBe(first)
  })

  it('with a function for the limit or the cool-off the rule is made per request, and not listed', () => {
    for (const options of [
      { failureLimit: (r: AxesRequest) => (r.path === '/a' ? 2 : 3) },
      { cooloffTime: (r: AxesRequest) => (r.path === '/a' ? '1m' : '2m') },
    ] as AxesOptions[]) {
      const rules = book(options)
      expect(rules.isStatic).toBe(false)
      expect(rules.listingRule()).toBeNull()
      const a = rules.rule(request('/a'), null)
      const b = rules.rule(request('/b'), null)
      expect(a).not.toEqual(b)
      expect(Object.isFrozen(a)).toBe(false)
      expect(rules.rule(request('/a'), null)).toEqual(a)
      expect(rules.rule(request('/b'), null)).toEqual(b)
    }
  })

  it('failureLimit as a function gets the request and the credentials', () => {
    const seen: unknown[] = []
    const rules = book({
      failureLimit: (r, c) => {
        seen.push(r.path, c?.username)
        return 2
      },
    })
    expect(rules.rule(request('/x'), { username: 'bob' }).failureLimit).toBe(2)
    expect(seen).toEqual(['/x', 'bob'])
  })

  it('failureLimit must give a whole number of at least 1', () => {
    expect(book({ failureLimit: () => 1 }).rule(request(), null).failureLimit).toBe(1)
    for (const value of [0, -1, 1.5, '3', null, Number.NaN]) {
      const error = callableError(
        () => book({ failureLimit: () => value as number }).rule(request(), null),
        'failureLimit',
      )
      expect(error.message).toContain(
        `it returned ${String(value)}; a whole number of at least 1 is needed`,
      )
    }
    const error = callableError(
      () =>
        book({
          failureLimit: () => {
            throw new Error('limit down')
          },
        }).rule(request(), null),
      'failureLimit',
    )
    expect(error.message).toContain('limit down')
  })

  it('with tiers, the limit is the lowest tier and a failureLimit function is never called', () => {
    let called = false
    const rule = book({
      failureLimit: () => {
        called = true
        return 9
      },
      lockoutTiers: [
        { failures: 6, cooloff: '1h' },
        { failures: 3, cooloff: '1m' },
      ],
    }).rule(request(), null)
    expect(rule.failureLimit).toBe(3)
    expect(rule.tiers).toEqual([
      { failures: 3, cooloffMs: 60_000 },
      { failures: 6, cooloffMs: 3_600_000 },
    ])
    expect(called).toBe(false)
  })

  it('cooloffTime as a function: a duration, null or undefined for a lock until reset', () => {
    const at = (value: unknown) =>
      book({ cooloffTime: () => value as string }).rule(request(), null).cooloffMs
    expect(at('90s')).toBe(90_000)
    // A number is hours, as django-axes reads AXES_COOLOFF_TIME.
    expect(at(2)).toBe(7_200_000)
    expect(at(null)).toBeNull()
    expect(at(undefined)).toBeNull()
    let seen: string | undefined
    book({
      cooloffTime: (r) => {
        seen = r.path
        return '1s'
      },
    }).rule(request('/seen'), null)
    expect(seen).toBe('/seen')
  })

  it('cooloffTime as a function: a bad duration or a throw is an AxesCallableError', () => {
    const bad = callableError(
      () => book({ cooloffTime: () => 'soon' as never }).rule(request(), null),
      'cooloffTime',
    )
    expect(bad.cause).toBeInstanceOf(TypeError)
    const thrown = callableError(
      () =>
        book({
          cooloffTime: () => {
            throw new Error('clock down')
          },
        }).rule(request(), null),
      'cooloffTime',
    )
    expect(thrown.message).toContain('clock down')
  })
})

describe('RuleBook: the lockout parameters', () => {
  it('a list is given as it is', () => {
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    expect(book({ lockoutParameters: [...parameters] }).parameters(request(), null)).toEqual(
      parameters,
    )
  })

  it('a function gets the request and the credentials, and its list is used', () => {
    const rules = book({
      lockoutParameters: (r, c) =>
        c?.username === 'admin' && r.path === '/login' ? [['username']] : ['ip_address'],
    })
    expect(rules.parameters(request(), { username: 'admin' })).toEqual([['username']])
    expect(rules.parameters(request(), null)).toEqual(['ip_address'])
  })

  it('a function that throws or gives a bad list is an AxesCallableError naming every problem', () => {
    const thrown = callableError(
      () =>
        book({
          lockoutParameters: () => {
            throw new Error('no list')
          },
        }).parameters(request(), null),
      'lockoutParameters',
    )
    expect(thrown.message).toContain('no list')
    const bad = callableError(
      () => book({ lockoutParameters: () => ['ip', []] as never }).parameters(request(), null),
      'lockoutParameters',
    )
    expect(bad.cause).toBeInstanceOf(TypeError)
    expect((bad.cause as TypeError).message).toBe(
      "'ip' lockout parameter is not allowed. Allowed parameters: username, ip_address, user_agent; an inner list must not be empty",
    )
  })
})
