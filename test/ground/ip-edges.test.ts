import { describe, expect, it } from 'vitest'
import { createIpMatcher, maskIp, parseCidr, parseIp } from '../../src/ground/ip.js'
import { isMappedIpv4 } from '../../src/ground/ip-address.js'

// The edges of IP parsing that the main table (ip.test.ts) does not reach, each found by a
// mutant that survived it (docs/ARCHITECTURE.md, "Mutation testing").

const hex = (code: number) => `U+${code.toString(16).padStart(4, '0')}`

describe('parseIp: zone ids (stricter than Python, which keeps whitespace and controls)', () => {
  // Python's ipaddress accepts every one of these in a scope id (only '%' and '/' are refused
  // there); node-axes refuses them: a zone id with whitespace or a control character is not
  // what a socket reports, and is dropped from the canonical text anyway.
  const refused = [
    0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x25, 0x2f, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0x1680, 0x2000,
    0x2005, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
  ]
  const accepted = [
    0x21, 0x2e, 0x30, 0x3a, 0x7e, 0xa1, 0x167f, 0x1681, 0x1fff, 0x200b, 0x2027, 0x202a, 0x202e,
    0x2030, 0x205e, 0x2060, 0x2fff, 0x3001, 0xfefe, 0xff00,
  ]

  it.each(refused.map((code) => [hex(code), code]))('refuses %s', (_label, code) => {
    const char = String.fromCharCode(code)
    expect(parseIp(`fe80::1%a${char}b`)).toBeNull()
    expect(parseIp(`fe80::1%${char}`)).toBeNull()
    expect(parseIp(`fe80::1%${char}eth0`)).toBeNull()
    expect(parseIp(`fe80::1%eth0${char}`)).toBeNull()
  })

  it.each(accepted.map((code) => [hex(code), code]))('accepts %s', (_label, code) => {
    const char = String.fromCharCode(code)
    expect(parseIp(`fe80::1%a${char}b`)?.text).toBe('fe80::1')
    expect(parseIp(`fe80::1%${char}`)?.text).toBe('fe80::1')
  })
})

describe('parseIp: mapped addresses need both 0xff bytes', () => {
  it.each([
    ['::ff:102:304', '::ff:102:304'],
    ['::ff00:102:304', '::ff00:102:304'],
    ['::feff:102:304', '::feff:102:304'],
  ])('%s stays IPv6 (%s)', (input, expected) => {
    expect(parseIp(input)).toMatchObject({ version: 6, text: expected })
  })

  it('isMappedIpv4 answers for 16 bytes only', () => {
    const mapped = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])
    expect(isMappedIpv4(mapped)).toBe(true)
    expect(isMappedIpv4(new Uint8Array(4))).toBe(false)
    expect(isMappedIpv4(mapped.slice(0, 12))).toBe(false)
    expect(isMappedIpv4(new Uint8Array([...mapped, 0]))).toBe(false)
    expect(isMappedIpv4(new Uint8Array(16))).toBe(false)
  })
})

describe('maskIp: its error names the prefix', () => {
  it.each([[-1], [1.5], [Number.NaN]])('prefix %s', (prefix) => {
    expect(() =>
      maskIp({ version: 4, text: '1.2.3.4', bytes: new Uint8Array([1, 2, 3, 4]) }, prefix),
    ).toThrow(`maskIp: prefix must be a non-negative integer, got ${String(prefix)}`)
  })
})

describe('parseCidr: edges', () => {
  it('returns null for non-strings instead of throwing', () => {
    for (const value of [undefined, null, 8, {}, ['10.0.0.0/8']]) {
      expect(parseCidr(value as unknown as string)).toBeNull()
    }
  })

  it('refuses an invalid IPv6 address before a prefix', () => {
    for (const value of ['2001:db8::g/64', '1::2::3/64', ':/64', '::1%/64', '1:2:3:4:5:6:7/64']) {
      expect(parseCidr(value), value).toBeNull()
    }
  })

  it('takes an address part of up to 100 characters, as parseIp does', () => {
    expect(parseCidr(`fe80::1%${'a'.repeat(92)}/64`)?.text).toBe('fe80::/64')
    expect(parseCidr(`fe80::1%${'a'.repeat(93)}/64`)).toBeNull()
  })

  it('takes a prefix of 1-3 digits (Python would also read /0008 as /8)', () => {
    expect(parseCidr('10.0.0.0/008')?.text).toBe('10.0.0.0/8')
    expect(parseCidr('10.0.0.0/0008')).toBeNull()
  })
})

describe('createIpMatcher: full-length ranges and IPv6 ranges', () => {
  it('an IPv6 /32 is a range, not one address', () => {
    const matcher = createIpMatcher(['2001:db8::/32'])
    expect(matcher.matches('2001:db8:5::1')).toBe(true)
    expect(matcher.matches('2001:db8::')).toBe(true)
    expect(matcher.matches('2001:db9::')).toBe(false)
  })

  it('an IPv6 /128 is one address, in canonical form', () => {
    const matcher = createIpMatcher(['2001:DB8:0::1/128', '::ffff:10.0.0.1/128'])
    expect(matcher.invalid).toEqual([])
    expect(matcher.matches('2001:db8::1')).toBe(true)
    expect(matcher.matches('2001:db8::2')).toBe(false)
    expect(matcher.matches('10.0.0.1')).toBe(true)
    expect(matcher.matches('10.0.0.2')).toBe(false)
  })

  it('lists invalid ranges and addresses as given', () => {
    const matcher = createIpMatcher(['10.0.0.0/33', '1.2.3.4', 'fe80::g', '2001:db8::/129'])
    expect(matcher.invalid).toEqual(['10.0.0.0/33', 'fe80::g', '2001:db8::/129'])
    expect(matcher.matches('1.2.3.4')).toBe(true)
  })
})
