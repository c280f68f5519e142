import { describe, expect, it } from 'vitest'
import {
  cidrContains,
  createIpMatcher,
  isGlobalIp,
  isLoopbackIp,
  isPrivateIp,
  maskIp,
  type ParsedIp,
  parseCidr,
  parseIp,
} from '../../src/ground/ip.js'

/** What a malformed argument throws: an AxesError with code AXES_INVALID_ARGUMENT. */
const INVALID_ARGUMENT = expect.objectContaining({
  name: 'AxesError',
  code: 'AXES_INVALID_ARGUMENT',
})

function ip(text: string): ParsedIp {
  const parsed = parseIp(text)
  if (parsed === null) throw new Error(`test fixture ${text} should parse`)
  return parsed
}

function text(input: string): string | null {
  return parseIp(input)?.text ?? null
}

describe('parseIp: canonical text (Python str(ip_address), what Django stores)', () => {
  // Expected values computed with Python's ipaddress (str(IPv6Address(...)), ipv4_mapped).
  const cases: [string, string][] = [
    ['1.2.3.4', '1.2.3.4'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['::1', '::1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['1:0:0:0:2:0:0:0', '1::2:0:0:0'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
    ['FE80::ABCD:0:0:1', 'fe80::abcd:0:0:1'],
    ['2001:db8::', '2001:db8::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::1.2.3.4', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['fe80::1%eth0', 'fe80::1'],
    ['fe80::1%eth0:80', 'fe80::1'],
    ['::fffe:1.2.3.4', '::fffe:102:304'],
    ['::1:ffff:1.2.3.4', '::1:ffff:102:304'],
  ]
  it.each(cases)('%s -> %s', (input, expected) => {
    expect(text(input)).toBe(expected)
  })

  it('reports the version and bytes', () => {
    expect(parseIp('10.1.2.3')).toEqual({
      version: 4,
      text: '10.1.2.3',
      bytes: new Uint8Array([10, 1, 2, 3]),
    })
    const v6 = ip('2001:db8::ff')
    expect(v6.version).toBe(6)
    expect(Array.from(v6.bytes)).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
    ])
  })

  it('is idempotent on its own output', () => {
    for (const [input] of cases) {
      const once = text(input)
      expect(once).not.toBeNull()
      expect(text(once ?? '')).toBe(once)
    }
  })
})

describe('parseIp: IPv4-mapped IPv6 becomes IPv4 (as python-ipware does)', () => {
  const cases: [string, string][] = [
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:102:304', '1.2.3.4'],
    ['::FFFF:A00:1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
    ['0000:0000:0000:0000:0000:FFFF:127.0.0.1', '127.0.0.1'],
    ['::ffff:0:0', '0.0.0.0'],
    ['::ffff:0.0.0.0', '0.0.0.0'],
    ['::ffff:ffff:ffff', '255.255.255.255'],
    ['::ffff:10.0.0.1%eth0', '10.0.0.1'],
  ]
  it.each(cases)('%s -> %s', (input, expected) => {
    const parsed = ip(input)
    expect(parsed.version).toBe(4)
    expect(parsed.text).toBe(expected)
    expect(parsed.bytes.length).toBe(4)
  })
})

describe('parseIp: invalid input', () => {
  const invalid = [
    '',
    ' ',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.256',
    '256.0.0.0',
    '1.2.3',
    '1.2.3.4.',
    '1.2.3.4.5',
    '1..3.4',
    '1.2.3.-1',
    '1.2.3.+1',
    '0x1.2.3.4',
    '1.2.3.1234',
    '\u0661.2.3.4', // Arabic-Indic digit one: Python rejects non-ASCII digits
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4\n',
    '1.2. 3.4',
    '1.2.3.4:80',
    '1.2.3.4/32',
    '1.2.3.4%eth0',
    '::ffff:1.2.3.4.5',
    '::ffff:1.2.3',
    '::01.2.3.4',
    ':::',
    ':1::2',
    '1::2:',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7:1.2.3.4',
    '12345::',
    'g::1',
    '1.2.3.4::',
    '::1/128',
    '[::1]',
    '[::1]:80',
    '::1%',
    'fe80::1%a%b',
    'fe80::1%eth 0',
    'fe80::1%\u0000',
    '::1\u0000',
    '1.2.3.4\u0000',
    '\u00001.2.3.4',
    'localhost',
    'unknown',
  ]
  it.each(invalid.map((value) => [JSON.stringify(value), value]))('%s', (_label, value) => {
    expect(parseIp(value)).toBeNull()
  })

  it('rejects strings over 100 characters without scanning them', () => {
    expect(parseIp(`fe80::1%${'a'.repeat(92)}`)?.text).toBe('fe80::1') // exactly 100
    expect(parseIp(`fe80::1%${'a'.repeat(93)}`)).toBeNull()
    const huge = `${'1'.repeat(1024 * 1024)}`
    const started = performance.now()
    expect(parseIp(huge)).toBeNull()
    expect(parseIp(`::${'1:'.repeat(500_000)}1`)).toBeNull()
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('returns null for non-strings instead of throwing', () => {
    for (const value of [undefined, null, 1, {}, [], Symbol('x'), 1n]) {
      expect(parseIp(value as unknown as string)).toBeNull()
    }
  })
})

describe('is_global / is_private / is_loopback (values from Python ipaddress)', () => {
  // [address, is_global, is_private, is_loopback], checked against CPython's ipaddress with
  // the IANA registry tables (gh-113171 semantics).
  const table: [string, boolean, boolean, boolean][] = [
    ['8.8.8.8', true, false, false],
    ['1.1.1.1', true, false, false],
    ['10.0.0.1', false, true, false],
    ['172.16.0.1', false, true, false],
    ['172.31.255.255', false, true, false],
    ['172.32.0.1', true, false, false],
    ['192.168.1.1', false, true, false],
    ['127.0.0.1', false, true, true],
    ['127.255.255.254', false, true, true],
    ['0.0.0.0', false, true, false],
    ['0.1.2.3', false, true, false],
    ['169.254.1.1', false, true, false],
    ['100.64.0.1', false, false, false],
    ['100.127.255.255', false, false, false],
    ['100.63.255.255', true, false, false],
    ['100.128.0.0', true, false, false],
    ['192.0.0.1', false, true, false],
    ['192.0.0.9', true, false, false],
    ['192.0.0.10', true, false, false],
    ['192.0.0.170', false, true, false],
    ['192.0.2.1', false, true, false],
    ['198.18.0.1', false, true, false],
    ['198.51.100.1', false, true, false],
    ['203.0.113.1', false, true, false],
    ['224.0.0.1', true, false, false],
    ['239.255.255.255', true, false, false],
    ['240.0.0.1', false, true, false],
    ['255.255.255.255', false, true, false],
    ['255.255.255.254', false, true, false],
    ['2606:4700:4700::1111', true, false, false],
    ['2001:4860:4860::8888', true, false, false],
    ['::1', false, true, true],
    ['::', false, true, false],
    ['::2', true, false, false],
    ['::102:304', true, false, false],
    ['fe80::1', false, true, false],
    ['febf::1', false, true, false],
    ['fec0::1', true, false, false],
    ['fc00::1', false, true, false],
    ['fd12:3456::1', false, true, false],
    ['2001:db8::1', false, true, false],
    ['2001::1', false, true, false],
    ['2001:1::1', true, false, false],
    ['2001:1::3', false, true, false],
    ['2001:2::1', false, true, false],
    ['2001:3::1', true, false, false],
    ['2001:4:112::1', true, false, false],
    ['2001:20::1', true, false, false],
    ['2001:30::1', true, false, false],
    ['2002::1', false, true, false],
    ['64:ff9b::1', true, false, false],
    ['64:ff9b:1::1', false, true, false],
    ['100::1', false, true, false],
    ['100:0:0:1::1', true, false, false],
    ['ff02::1', true, false, false],
    ['3ffe:1900:4545:3:200:f8ff:fe21:67cf', true, false, false],
    // RFC 9637 documentation prefix: in current CPython's table (older releases say global).
    ['3fff::1', false, true, false],
    // Mapped addresses are IPv4 after parsing, so they classify as IPv4.
    ['::ffff:127.0.0.1', false, true, true],
    ['::ffff:8.8.8.8', true, false, false],
    ['::ffff:100.64.0.1', false, false, false],
  ]
  it.each(table)('%s: global=%s private=%s loopback=%s', (address, global, priv, loopback) => {
    const parsed = ip(address)
    expect(isGlobalIp(parsed)).toBe(global)
    expect(isPrivateIp(parsed)).toBe(priv)
    expect(isLoopbackIp(parsed)).toBe(loopback)
  })

  it('classifies a hand-built IPv6 ParsedIp holding a mapped address as its IPv4 address', () => {
    const bytes = new Uint8Array(16)
    bytes.set([0xff, 0xff, 127, 0, 0, 1], 10)
    const handBuilt: ParsedIp = { version: 6, text: '::ffff:7f00:1', bytes }
    expect(isLoopbackIp(handBuilt)).toBe(true)
    expect(isPrivateIp(handBuilt)).toBe(true)
    expect(isGlobalIp(handBuilt)).toBe(false)
  })
})

describe('parseCidr / cidrContains', () => {
  it('parses IPv4 and IPv6 ranges with canonical text', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ version: 4, prefix: 8, text: '10.0.0.0/8' })
    expect(parseCidr('2001:DB8::/32')).toMatchObject({
      version: 6,
      prefix: 32,
      text: '2001:db8::/32',
    })
    expect(parseCidr('0.0.0.0/0')?.text).toBe('0.0.0.0/0')
    expect(parseCidr('::/0')?.text).toBe('::/0')
  })

  it('treats a bare address as a single-address range', () => {
    expect(parseCidr('10.1.2.3')?.text).toBe('10.1.2.3/32')
    expect(parseCidr('2001:db8::1')?.text).toBe('2001:db8::1/128')
    expect(parseCidr('::ffff:10.1.2.3')?.text).toBe('10.1.2.3/32')
  })

  it('masks host bits', () => {
    expect(parseCidr('10.1.2.3/8')?.text).toBe('10.0.0.0/8')
    expect(parseCidr('192.168.255.255/17')?.text).toBe('192.168.128.0/17')
    expect(parseCidr('2001:db8:1:2:3:4:5:6/64')?.text).toBe('2001:db8:1:2::/64')
    expect(parseCidr('2001:db8:ffff::/33')?.text).toBe('2001:db8:8000::/33')
  })

  it('turns an IPv4-mapped range of /96 or longer into the IPv4 range', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')?.text).toBe('10.0.0.0/8')
    expect(parseCidr('::ffff:0:0/96')?.text).toBe('0.0.0.0/0')
    expect(parseCidr('::ffff:0:0/95')?.text).toBe('::fffe:0:0/95')
  })

  it('rejects invalid ranges', () => {
    for (const value of [
      '',
      '/8',
      '10.0.0.0/',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/-1',
      '10.0.0.0/+8',
      '10.0.0.0/8/8',
      '10.0.0.0/ 8',
      '10.0.0.0 /8',
      '10.0.0.0/1000',
      '10.0.0.0/255.0.0.0',
      '10.0.0/8',
      '10.0.0.0/0x8',
      'garbage',
      `${'1'.repeat(1_000_000)}/8`,
    ]) {
      expect(parseCidr(value), value.slice(0, 30)).toBeNull()
    }
  })

  it('matches addresses inside the range only', () => {
    const v4 = parseCidr('10.0.0.0/8')
    const v6 = parseCidr('2001:db8::/32')
    const odd = parseCidr('192.168.1.128/25')
    if (v4 === null || v6 === null || odd === null) throw new Error('fixtures')
    expect(cidrContains(v4, ip('10.255.255.255'))).toBe(true)
    expect(cidrContains(v4, ip('10.0.0.0'))).toBe(true)
    expect(cidrContains(v4, ip('11.0.0.0'))).toBe(false)
    expect(cidrContains(v4, ip('9.255.255.255'))).toBe(false)
    expect(cidrContains(v4, ip('::ffff:10.9.8.7'))).toBe(true)
    expect(cidrContains(odd, ip('192.168.1.128'))).toBe(true)
    expect(cidrContains(odd, ip('192.168.1.255'))).toBe(true)
    expect(cidrContains(odd, ip('192.168.1.127'))).toBe(false)
    expect(cidrContains(v6, ip('2001:DB8:ffff::1'))).toBe(true)
    expect(cidrContains(v6, ip('2001:db9::1'))).toBe(false)
  })

  it('never mixes address families', () => {
    const all4 = parseCidr('0.0.0.0/0')
    const all6 = parseCidr('::/0')
    if (all4 === null || all6 === null) throw new Error('fixtures')
    expect(cidrContains(all4, ip('::1'))).toBe(false)
    expect(cidrContains(all4, ip('1.2.3.4'))).toBe(true)
    expect(cidrContains(all6, ip('1.2.3.4'))).toBe(false)
    expect(cidrContains(all6, ip('::ffff:1.2.3.4'))).toBe(false)
    expect(cidrContains(all6, ip('2001:db8::1'))).toBe(true)
  })
})

describe('maskIp', () => {
  it('keeps the first prefix bits and zeroes the rest', () => {
    expect(maskIp(ip('2001:db8:1:2:3:4:5:6'), 64).text).toBe('2001:db8:1:2::')
    expect(maskIp(ip('2001:db8:1:2:3:4:5:6'), 48).text).toBe('2001:db8:1::')
    expect(maskIp(ip('2001:db8:1:2:3:4:5:6'), 56).text).toBe('2001:db8:1::')
    expect(maskIp(ip('2001:db8:1:2ff:3:4:5:6'), 56).text).toBe('2001:db8:1:200::')
    expect(maskIp(ip('2001:db8:1:2:3:4:5:6'), 0).text).toBe('::')
    expect(maskIp(ip('2001:db8:1:2:3:4:5:6'), 128).text).toBe('2001:db8:1:2:3:4:5:6')
    expect(maskIp(ip('192.168.77.200'), 24).text).toBe('192.168.77.0')
    expect(maskIp(ip('192.168.77.200'), 20).text).toBe('192.168.64.0')
    expect(maskIp(ip('192.168.77.200'), 32).text).toBe('192.168.77.200')
  })

  it('returns an equal copy for a prefix at or above the width, and does not mutate', () => {
    const original = ip('1.2.3.4')
    const masked = maskIp(original, 64)
    expect(masked).toEqual(original)
    expect(masked.bytes).not.toBe(original.bytes)
    maskIp(original, 8)
    expect(original.text).toBe('1.2.3.4')
    expect(Array.from(original.bytes)).toEqual([1, 2, 3, 4])
  })

  it('groups a /64 together', () => {
    const a = maskIp(ip('2001:db8:aa:bb:1::1'), 64)
    const b = maskIp(ip('2001:db8:aa:bb:ffff:ffff:ffff:ffff'), 64)
    expect(a.text).toBe(b.text)
    expect(a.text).toBe('2001:db8:aa:bb::')
  })

  it('rejects negative or fractional prefixes', () => {
    expect(() => maskIp(ip('1.2.3.4'), -1)).toThrow(INVALID_ARGUMENT)
    expect(() => maskIp(ip('1.2.3.4'), 1.5)).toThrow(INVALID_ARGUMENT)
    expect(() => maskIp(ip('1.2.3.4'), Number.NaN)).toThrow(INVALID_ARGUMENT)
  })
})

describe('createIpMatcher', () => {
  // Built inside each test: built when the file is collected, its mutants were run by no test.
  const listed = () =>
    createIpMatcher([
      '10.0.0.1',
      '2001:DB8::1',
      '::ffff:192.0.2.7',
      '172.16.0.0/12',
      '2001:db8:abcd::/48',
      '198.51.100.9/32',
      'not-an-ip',
      '10.0.0.0/33',
      ' 10.0.0.2',
      '',
    ])

  it('lists invalid entries in order', () => {
    const matcher = listed()
    expect(matcher.invalid).toEqual(['not-an-ip', '10.0.0.0/33', ' 10.0.0.2', ''])
  })

  it('compares exact entries canonically', () => {
    const matcher = listed()
    expect(matcher.matches('10.0.0.1')).toBe(true)
    expect(matcher.matches('::ffff:10.0.0.1')).toBe(true)
    expect(matcher.matches('::FFFF:A00:1')).toBe(true)
    expect(matcher.matches('2001:db8::1')).toBe(true)
    expect(matcher.matches('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true)
    expect(matcher.matches('192.0.2.7')).toBe(true)
    expect(matcher.matches('198.51.100.9')).toBe(true)
    expect(matcher.matches('10.0.0.11')).toBe(false)
    expect(matcher.matches('2001:db8::2')).toBe(false)
  })

  it('checks CIDR ranges', () => {
    const matcher = listed()
    expect(matcher.matches('172.20.1.1')).toBe(true)
    expect(matcher.matches('172.32.0.1')).toBe(false)
    expect(matcher.matches('2001:db8:abcd:1::5')).toBe(true)
    expect(matcher.matches('2001:db8:abce::5')).toBe(false)
  })

  it('never matches null, invalid or non-string input', () => {
    const matcher = listed()
    expect(matcher.matches(null)).toBe(false)
    expect(matcher.matches('')).toBe(false)
    expect(matcher.matches('not-an-ip')).toBe(false)
    expect(matcher.matches(' 10.0.0.1')).toBe(false)
    expect(matcher.matches('10.0.0.1:80')).toBe(false)
    expect(matcher.matches('x'.repeat(1_000_000))).toBe(false)
    expect(matcher.matches(undefined as unknown as string)).toBe(false)
    expect(matcher.matches(42 as unknown as string)).toBe(false)
  })

  it('matches nothing when empty', () => {
    const empty = createIpMatcher([])
    expect(empty.invalid).toEqual([])
    expect(empty.matches('127.0.0.1')).toBe(false)
  })

  it('reports non-string entries as invalid', () => {
    const odd = createIpMatcher([null, 5, '1.2.3.4'] as unknown as string[])
    expect(odd.invalid).toEqual(['null', '5'])
    expect(odd.matches('1.2.3.4')).toBe(true)
  })
})
