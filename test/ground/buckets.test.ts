/**
 * Lockout parameters → buckets (src/ground/buckets.ts): the checks of a parameter list, the bucket
 * key's encoding and decoding (every field, null and empty values, malformed keys), and the
 * buckets of a client (canonical field order, de-duplication, the anonymous username bucket).
 */
import { describe, expect, it } from 'vitest'
import {
  assertLockoutParameters,
  bucketsFor,
  decodeBucketKey,
  encodeBucketKey,
  LOCKOUT_PARAMETER_NAMES,
  lockoutParameterProblems,
} from '../../src/ground/buckets.js'
import { AxesConfigError } from '../../src/ground/errors.js'

const ALLOWED = 'Allowed parameters: username, ip_address, user_agent'

describe('lockoutParameterProblems', () => {
  it('accepts names and inner lists of names', () => {
    expect(lockoutParameterProblems(['ip_address'])).toEqual([])
    expect(
      lockoutParameterProblems(['ip_address', ['username', 'ip_address'], ['user_agent']]),
    ).toEqual([])
  })

  it('asks for a list when given anything else', () => {
    for (const value of ['ip_address', null, undefined, { 0: 'ip_address' }]) {
      expect(lockoutParameterProblems(value)).toEqual([
        'must be a list such as ["ip_address", ["username", "ip_address"]], or a function',
      ])
    }
  })

  it('refuses an empty list and an empty inner list', () => {
    expect(lockoutParameterProblems([])).toEqual(['must name at least one parameter'])
    expect(lockoutParameterProblems(['ip_address', []])).toEqual([
      'an inner list must not be empty',
    ])
  })

  it("names each unknown parameter in django-axes' words, at any depth", () => {
    expect(lockoutParameterProblems(['ip', ['username', 7]])).toEqual([
      `'ip' lockout parameter is not allowed. ${ALLOWED}`,
      `'7' lockout parameter is not allowed. ${ALLOWED}`,
    ])
  })

  it('assertLockoutParameters throws an AxesConfigError under the given key, or nothing', () => {
    expect(() => assertLockoutParameters(['ip_address'])).not.toThrow()
    const error = (() => {
      try {
        assertLockoutParameters(['ip', []], 'AXES_LOCKOUT_PARAMETERS')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(AxesConfigError)
    expect((error as AxesConfigError).issues).toEqual([
      {
        key: 'AXES_LOCKOUT_PARAMETERS',
        message: `'ip' lockout parameter is not allowed. ${ALLOWED}`,
      },
      { key: 'AXES_LOCKOUT_PARAMETERS', message: 'an inner list must not be empty' },
    ])
    expect(() => assertLockoutParameters('x')).toThrow(/lockoutParameters: must be a list/)
  })
})

describe('bucket keys', () => {
  it('encodes the fields in canonical order, whatever the order given', () => {
    expect(LOCKOUT_PARAMETER_NAMES).toEqual(['ip_address', 'username', 'user_agent'])
    expect(encodeBucketKey({ user_agent: 'curl', username: 'alice', ip_address: '10.1.1.1' })).toBe(
      'i8:10.1.1.1u5:alicea4:curl',
    )
    expect(encodeBucketKey({ ip_address: null, username: undefined })).toBe('i-u-')
    expect(encodeBucketKey({})).toBe('')
  })

  it('decodes what it encodes, null, empty and delimiter-holding values included', () => {
    const cases = [
      { ip_address: '10.1.1.1' },
      { username: '' },
      { ip_address: null, username: '' },
      { username: 'a:b-c', user_agent: '' },
      { ip_address: '::1', username: 'u5:x', user_agent: null },
      { user_agent: 'Mozilla/5.0 (X11; Linux) 12:34' },
    ]
    for (const fields of cases) {
      const key = encodeBucketKey(fields)
      expect(decodeBucketKey(key)).toEqual(fields)
    }
    expect(decodeBucketKey('')).toEqual({})
    expect(decodeBucketKey('u0:')).toEqual({ username: '' })
    expect(decodeBucketKey('u0:a-')).toEqual({ username: '', user_agent: null })
    expect(decodeBucketKey('i-u0:a0:')).toEqual({ ip_address: null, username: '', user_agent: '' })
  })

  it('refuses a key that is not an encoding', () => {
    for (const key of [
      'x',
      'x1:a',
      'i1:au1:bx-',
      'i',
      'i8',
      'i:',
      'i8:10.1.1.',
      'i8:10.1.1.1x',
      'i-i-',
      'u1:au1:b',
      'ix:abc',
      'i-1:a',
      'i+1:a',
      'i 1:a',
      'u1.0:a',
      'u1e0:a',
      '-',
    ]) {
      expect(decodeBucketKey(key), key).toBeNull()
    }
  })
})

describe('bucketsFor', () => {
  const client = { ipAddress: '10.1.1.1', username: 'alice', userAgent: 'curl' }

  it('gives one bucket per item, keyed on its fields in canonical order', () => {
    expect(
      bucketsFor(['username', ['user_agent', 'username', 'ip_address'], ['ip_address']], client),
    ).toEqual([
      { key: 'u5:alice', fields: { username: 'alice' } },
      {
        key: 'i8:10.1.1.1u5:alicea4:curl',
        fields: { ip_address: '10.1.1.1', username: 'alice', user_agent: 'curl' },
      },
      { key: 'i8:10.1.1.1', fields: { ip_address: '10.1.1.1' } },
    ])
  })

  it('the key is encodeBucketKey of the fields, and decodes back to them', () => {
    for (const bucket of bucketsFor(
      [
        'ip_address',
        'username',
        'user_agent',
        ['username', 'user_agent'],
        ['ip_address', 'user_agent'],
      ],
      { ipAddress: null, username: '', userAgent: 'a:b' },
    )) {
      expect(bucket.key).toBe(encodeBucketKey(bucket.fields))
      expect(decodeBucketKey(bucket.key)).toEqual(bucket.fields)
    }
  })

  it('de-duplicates items that name the same fields (django-axes counts them twice)', () => {
    const buckets = bucketsFor(
      ['ip_address', ['ip_address'], ['username', 'ip_address'], ['ip_address', 'username']],
      client,
    )
    expect(buckets.map((b) => b.key)).toEqual(['i8:10.1.1.1', 'i8:10.1.1.1u5:alice'])
    expect(bucketsFor([['ip_address', 'ip_address']], client)).toHaveLength(1)
  })

  it('skips a bucket of the username alone when there is none, and only that one', () => {
    const anonymous = { ...client, username: null }
    expect(bucketsFor(['username'], anonymous)).toEqual([])
    expect(bucketsFor([['username', 'username']], anonymous)).toEqual([])
    expect(bucketsFor(['username'], { ...client, username: '' })).toEqual([
      { key: 'u0:', fields: { username: '' } },
    ])
    expect(bucketsFor([['username', 'ip_address']], anonymous)).toEqual([
      { key: 'i8:10.1.1.1u-', fields: { ip_address: '10.1.1.1', username: null } },
    ])
    expect(bucketsFor([['username', 'user_agent']], anonymous)).toEqual([
      { key: 'u-a4:curl', fields: { username: null, user_agent: 'curl' } },
    ])
  })

  it('keeps a bucket of a null IP and one of an empty user agent', () => {
    const bare = { ipAddress: null, username: 'alice', userAgent: '' }
    expect(bucketsFor(['ip_address', 'user_agent'], bare)).toEqual([
      { key: 'i-', fields: { ip_address: null } },
      { key: 'a0:', fields: { user_agent: '' } },
    ])
  })

  it('makes no bucket of an item that names no known field', () => {
    expect(bucketsFor([[]] as never, client)).toEqual([])
    expect(bucketsFor(['nothing'] as never, client)).toEqual([])
  })
})
