import { describe, expect, it } from 'vitest'
import {
  createIpResolver,
  headerNameForPrecedenceKey,
  type IpResolverOptions,
  type IpSource,
} from '../../src/core/ip-resolver.js'

// The edges of client IP resolution that the python-ipware table (ip-resolver.test.ts) does not
// reach, each found by a mutant that survived it (docs/ARCHITECTURE.md, "Mutation testing").

function resolveWith(options: Partial<IpResolverOptions>, source: IpSource): string | null {
  return createIpResolver({
    precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
    ...options,
  })(source)
}

const hex = (code: number) => `U+${code.toString(16).padStart(4, '0')}`

describe("entries are trimmed as Python's str.strip() trims", () => {
  // Every code point below 0x10000 for which Python's str.isspace() is true
  // ([c for c in range(0x10000) if chr(c).isspace()]), and the neighbours that are not.
  const spaces = [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
    0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
    0x205f, 0x3000,
  ]
  const notSpaces = [
    0x00, 0x08, 0x0e, 0x1b, 0x21, 0x7f, 0x84, 0x86, 0x9f, 0xa1, 0x167f, 0x1681, 0x1fff, 0x200b,
    0x2027, 0x202a, 0x202e, 0x2030, 0x205e, 0x2060, 0x2fff, 0x3001, 0xfeff,
  ]

  it.each(spaces.map((code) => [hex(code), code]))('%s is stripped', (_label, code) => {
    const s = String.fromCharCode(code)
    const at = (value: string) =>
      resolveWith({}, { headers: { 'x-forwarded-for': value }, socketAddress: '10.0.0.1' })
    expect(at(`${s}8.8.8.8`)).toBe('8.8.8.8')
    expect(at(`8.8.8.8${s}`)).toBe('8.8.8.8')
    expect(at(`${s}${s}8.8.8.8${s}${s}`)).toBe('8.8.8.8')
    expect(at(`1.1.1.1 ,${s}8.8.8.8${s}, 9.9.9.9`)).toBe('1.1.1.1')
    expect(at(`${s}`)).toBe('10.0.0.1')
    expect(
      resolveWith({ proxyCount: 1 }, { headers: { 'x-forwarded-for': `1.1.1.1,${s}8.8.8.8${s}` } }),
    ).toBe('1.1.1.1')
  })

  it.each(notSpaces.map((code) => [hex(code), code]))(
    '%s is kept, and spoils the entry',
    (_label, code) => {
      const s = String.fromCharCode(code)
      const at = (value: string) =>
        resolveWith({}, { headers: { 'x-forwarded-for': value }, socketAddress: '10.0.0.1' })
      expect(at(`${s}8.8.8.8`)).toBe('10.0.0.1')
      expect(at(`8.8.8.8${s}`)).toBe('10.0.0.1')
      expect(at(`8.8.8.8, ${s}1.1.1.1`)).toBe('10.0.0.1')
    },
  )
})

describe('header values given as arrays', () => {
  const options = { precedence: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] }

  it('accepts 8192 joined characters but not 8193', () => {
    const padded = (n: number) => [`${' '.repeat(n - 7)}8.8.8.8`]
    const at = (value: string[]) =>
      resolveWith(options, { headers: { 'x-forwarded-for': value }, socketAddress: '10.0.0.1' })
    expect(at(padded(8192))).toBe('8.8.8.8')
    expect(at(padded(8193))).toBe('10.0.0.1')
    const two = (n: number) => ['8.8.8.8', `${' '.repeat(n - 15)}1.1.1.1`]
    expect(at(two(8192))).toBe('8.8.8.8')
    expect(at(two(8193))).toBe('10.0.0.1')
  })

  it('joins every element in order', () => {
    const headers = { 'x-forwarded-for': ['8.8.8.8', '1.1.1.1', '9.9.9.9'] }
    expect(resolveWith({ ...options, proxyCount: 2 }, { headers })).toBe('8.8.8.8')
    expect(resolveWith({ ...options, proxyOrder: 'right-most' }, { headers })).toBe('9.9.9.9')
    expect(resolveWith({ ...options, trustedProxies: ['1.1.', '9.9.'] }, { headers })).toBe(
      '8.8.8.8',
    )
  })
})

describe('headers that are not an object are absent', () => {
  const options = { precedence: ['HTTP_X_REAL_IP', 'REMOTE_ADDR'] }

  it('falls back to the socket address', () => {
    const fn = Object.assign(() => undefined, { 'x-real-ip': '8.8.8.8' })
    for (const headers of [null, undefined, 'x-real-ip: 8.8.8.8', 42, fn]) {
      const source = { headers, socketAddress: '10.0.0.1' } as unknown as IpSource
      expect(resolveWith(options, source)).toBe('10.0.0.1')
    }
  })

  it('a missing source answers null', () => {
    for (const source of [null, undefined]) {
      expect(resolveWith(options, source as unknown as IpSource)).toBeNull()
    }
  })
})

describe('trusted proxies', () => {
  it('every trusted entry must match its proxy, in order', () => {
    const options = { trustedProxies: ['10.0.0.0/8', '172.16.'] }
    const at = (value: string) => resolveWith(options, { headers: { 'x-forwarded-for': value } })
    expect(at('8.8.8.8, 10.1.1.1, 172.16.0.9')).toBe('8.8.8.8')
    expect(at('8.8.8.8, 172.16.0.9, 10.1.1.1')).toBeNull()
    expect(at('8.8.8.8, 10.1.1.1, 172.17.0.9')).toBeNull()
    expect(at('8.8.8.8, 11.1.1.1, 172.16.0.9')).toBeNull()
    expect(at('8.8.8.8, 10.1.1.1')).toBeNull()
    expect(at('8.8.8.8, 9.9.9.9, 10.1.1.1, 172.16.0.9')).toBeNull()
    // One address more than proxies + 1, though its first proxies match: strict, skipped.
    expect(at('8.8.8.8, 10.1.1.1, 172.16.0.9, 1.1.1.1')).toBeNull()
    expect(at('8.8.8.8, 10.1.1.1, 172.16.0.9, 10.2.2.2')).toBeNull()
  })

  it('with a proxy count as well, both lengths must agree', () => {
    const headers = { 'x-forwarded-for': '8.8.8.8, 10.1.1.1' }
    expect(resolveWith({ trustedProxies: ['10.'], proxyCount: 1 }, { headers })).toBe('8.8.8.8')
    expect(resolveWith({ trustedProxies: ['10.'], proxyCount: 0 }, { headers })).toBeNull()
    expect(resolveWith({ trustedProxies: ['10.'], proxyCount: 2 }, { headers })).toBeNull()
  })
})

describe('option validation: the errors say what is wrong', () => {
  const base: IpResolverOptions = {
    precedence: ['REMOTE_ADDR'],
    proxyCount: null,
    trustedProxies: null,
    proxyOrder: 'left-most',
  }
  const invalid = (message: string) =>
    expect.objectContaining({
      name: 'AxesError',
      code: 'AXES_INVALID_ARGUMENT',
      message: `[node-axes] ${message}`,
    })

  it.each([
    [{ precedence: 'REMOTE_ADDR' }, 'precedence must be an array of strings'],
    [{ precedence: [5] }, 'precedence entries must be non-empty strings, got 5'],
    [{ precedence: [null] }, 'precedence entries must be non-empty strings, got null'],
    [{ precedence: [''] }, 'precedence entries must be non-empty strings, got '],
    [{ proxyOrder: 'middle' }, "proxyOrder must be 'left-most' or 'right-most', got middle"],
    [{ proxyCount: -1 }, 'proxyCount must be null or a non-negative integer, got -1'],
    [{ proxyCount: 1.5 }, 'proxyCount must be null or a non-negative integer, got 1.5'],
    [{ trustedProxies: [5] }, 'trustedProxies entries must be strings, got 5'],
    [{ trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies entry is not a valid CIDR: 10.0.0.0/33'],
  ])('%o', (options, message) => {
    expect(() => createIpResolver({ ...base, ...(options as object) })).toThrow(invalid(message))
  })

  it('an omitted proxyCount is no proxy count', () => {
    const { proxyCount: _omitted, ...rest } = base
    const resolve = createIpResolver({
      ...rest,
      precedence: ['HTTP_X_FORWARDED_FOR'],
    } as unknown as IpResolverOptions)
    expect(resolve({ headers: { 'x-forwarded-for': '8.8.8.8, 1.1.1.1, 9.9.9.9' } })).toBe('8.8.8.8')
  })
})

describe('headerNameForPrecedenceKey: a lower-case key is a header name as it is', () => {
  it.each([
    ['x_custom_ip', 'x_custom_ip'],
    ['http_x_real_ip', 'http_x_real_ip'],
    ['HTTP_X_CUSTOM_IP', 'x-custom-ip'],
  ])('%s -> %s', (key, expected) => {
    expect(headerNameForPrecedenceKey(key)).toBe(expected)
  })
})
