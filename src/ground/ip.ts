/**
 * IP address primitives: parsing and canonical text (the forms Django stores), the
 * `is_global` / `is_private` / `is_loopback` classification of Python's `ipaddress`
 * module, CIDR ranges, prefix masking and allow/deny-list matching.
 *
 * Nothing here throws on untrusted input: parsers return `null` instead.
 *
 * @module
 */

/** A parsed IP address. */
export interface ParsedIp {
  /** 4 for IPv4, 6 for IPv6. IPv4-mapped IPv6 addresses are reported as IPv4. */
  version: 4 | 6
  /**
   * Canonical text: dotted decimal for IPv4; for IPv6 lower-case hexadecimal with the
   * longest run (first on a tie) of two or more zero groups compressed to `::`, and no
   * embedded IPv4 notation, i.e. Python's `str(IPv6Address(...))`.
   */
  text: string
  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  bytes: Uint8Array
}

/** A parsed CIDR range; host bits are already zeroed. */
export interface Cidr {
  /** Address family of the range. */
  version: 4 | 6
  /** The network address, network-order bytes (4 or 16), host bits zeroed. */
  bytes: Uint8Array
  /** Prefix length, 0-32 for IPv4 and 0-128 for IPv6. */
  prefix: number
  /** Canonical `network/prefix` text, such as `10.0.0.0/8` or `2001:db8::/32`. */
  text: string
}

/** Matches client IPs against a list of exact addresses and CIDR ranges. */
export interface IpMatcher {
  /** Whether `ip` (any valid textual form) is listed. `null` and invalid input never match. */
  matches(ip: string | null): boolean
  /** The entries that are neither a valid IP address nor a valid CIDR range, in input order. */
  readonly invalid: string[]
}

/** Longest input accepted by {@link parseIp}. */
const MAX_IP_LENGTH = 100

const HEX_DIGIT = /^[0-9a-fA-F]{1,4}$/

/** Python's `ipaddress` rules for one IPv4 octet: 1-3 ASCII digits, no leading zero, <= 255. */
function parseOctet(part: string): number {
  const length = part.length
  if (length === 0 || length > 3) return -1
  for (let i = 0; i < length; i++) {
    const code = part.charCodeAt(i)
    if (code < 48 || code > 57) return -1
  }
  if (length > 1 && part.charCodeAt(0) === 48) return -1
  const value = Number(part)
  return value > 255 ? -1 : value
}

function parseIpv4Bytes(input: string): Uint8Array | null {
  const parts = input.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const octet = parseOctet(parts[i] ?? '')
    if (octet < 0) return null
    bytes[i] = octet
  }
  return bytes
}

function parseHextet(part: string): number {
  return HEX_DIGIT.test(part) ? Number.parseInt(part, 16) : -1
}

/**
 * Parses the address part (zone id already removed) of an IPv6 address with the rules of
 * Python's `IPv6Address`: at least 3 and at most 9 colon-separated parts, one optional
 * `::`, an optional dotted IPv4 tail, 1-4 hex digits per group.
 */
function parseIpv6Bytes(input: string): Uint8Array | null {
  const parts = input.split(':')
  if (parts.length < 3) return null
  const tail = parts[parts.length - 1] ?? ''
  if (tail.includes('.')) {
    const v4 = parseIpv4Bytes(tail)
    if (v4 === null) return null
    parts.pop()
    parts.push(
      (((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16),
      (((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16),
    )
  }
  if (parts.length > 9) return null

  let skipIndex = -1
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skipIndex !== -1) return null
      skipIndex = i
    }
  }

  let high: number
  let low: number
  if (skipIndex !== -1) {
    high = skipIndex
    low = parts.length - skipIndex - 1
    if (parts[0] === '') {
      high -= 1
      if (high !== 0) return null
    }
    if (parts[parts.length - 1] === '') {
      low -= 1
      if (low !== 0) return null
    }
    if (8 - (high + low) < 1) return null
  } else {
    if (parts.length !== 8) return null
    high = 8
    low = 0
  }

  const bytes = new Uint8Array(16)
  for (let i = 0; i < high; i++) {
    const group = parseHextet(parts[i] ?? '')
    if (group < 0) return null
    bytes[i * 2] = group >> 8
    bytes[i * 2 + 1] = group & 0xff
  }
  for (let i = 0; i < low; i++) {
    const group = parseHextet(parts[parts.length - low + i] ?? '')
    if (group < 0) return null
    const slot = 8 - low + i
    bytes[slot * 2] = group >> 8
    bytes[slot * 2 + 1] = group & 0xff
  }
  return bytes
}

/** A zone id must be non-empty, without `%` or `/` (as in Python), and without whitespace or control characters. */
function isValidZone(zone: string): boolean {
  if (zone.length === 0) return false
  for (let i = 0; i < zone.length; i++) {
    const code = zone.charCodeAt(i)
    if (code <= 0x20 || code === 0x7f || code === 0x25 || code === 0x2f) return false
    if (code === 0x85 || code === 0xa0 || code === 0x1680 || code === 0xfeff) return false
    if ((code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029) return false
    if (code === 0x202f || code === 0x205f || code === 0x3000) return false
  }
  return true
}

/** True when 16 bytes are an IPv4-mapped IPv6 address (`::ffff:0:0/96`). */
function isMappedIpv4(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`
}

/** Python's `str(IPv6Address)`: lower-case groups, longest zero run (>= 2 groups, first on a tie) as `::`. */
function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = []
  for (let i = 0; i < 8; i++) groups.push(((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0))

  let bestStart = -1
  let bestLength = 0
  let runStart = -1
  let runLength = 0
  for (let i = 0; i < 8; i++) {
    if (groups[i] === 0) {
      if (runStart === -1) runStart = i
      runLength += 1
      if (runLength > bestLength) {
        bestLength = runLength
        bestStart = runStart
      }
    } else {
      runStart = -1
      runLength = 0
    }
  }

  const hex = groups.map((group) => group.toString(16))
  if (bestLength < 2) return hex.join(':')
  const head = hex.slice(0, bestStart).join(':')
  const tail = hex.slice(bestStart + bestLength).join(':')
  return `${head}::${tail}`
}

function makeIp(version: 4 | 6, bytes: Uint8Array): ParsedIp {
  return { version, bytes, text: version === 4 ? formatIpv4(bytes) : formatIpv6(bytes) }
}

/** Converts 16 bytes to a ParsedIp, unwrapping IPv4-mapped addresses. */
function fromIpv6Bytes(bytes: Uint8Array): ParsedIp {
  if (isMappedIpv4(bytes)) return makeIp(4, bytes.slice(12, 16))
  return makeIp(6, bytes)
}

/**
 * Parses an IPv6 address with an optional zone id, returning its 16 bytes (not unmapped).
 * The caller has already checked the type and length of `input`.
 */
function parseIpv6WithZone(input: string): Uint8Array | null {
  const percent = input.indexOf('%')
  let address = input
  if (percent !== -1) {
    if (!isValidZone(input.slice(percent + 1))) return null
    address = input.slice(0, percent)
  }
  return parseIpv6Bytes(address)
}

/**
 * Parses one IP address.
 *
 * Accepts what Python's `ipaddress.ip_address` accepts: a dotted-quad IPv4 address (four
 * decimal octets 0-255, no leading zeros) or any textual IPv6 form (`::`, an embedded
 * IPv4 tail such as `::1.2.3.4`, any letter case) with an optional zone id (`fe80::1%eth0`)
 * that is dropped. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, `::ffff:102:304`) are
 * returned as IPv4, as python-ipware does.
 *
 * Returns `null` for anything else: non-strings, empty strings, strings longer than 100
 * characters, surrounding or embedded whitespace, brackets, ports, CIDR suffixes, zone ids
 * containing whitespace or control characters. Never throws.
 *
 * @example parseIp('2001:DB8:0:0::1')?.text // '2001:db8::1'
 * @example parseIp('::ffff:10.0.0.1')?.text // '10.0.0.1' (version 4)
 */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_IP_LENGTH) {
    return null
  }
  if (input.includes(':')) {
    const bytes = parseIpv6WithZone(input)
    return bytes === null ? null : fromIpv6Bytes(bytes)
  }
  const bytes = parseIpv4Bytes(input)
  return bytes === null ? null : makeIp(4, bytes)
}

/** Whether the first `prefix` bits of `a` and `b` are equal (both at least that long). */
function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false
  const rest = prefix & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask)
}

function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice()
  const whole = prefix >> 3
  const rest = prefix & 7
  for (let i = whole; i < out.length; i++) {
    if (i === whole && rest !== 0) {
      out[i] = (out[i] ?? 0) & ((0xff << (8 - rest)) & 0xff)
    } else {
      out[i] = 0
    }
  }
  return out
}

function makeCidr(version: 4 | 6, bytes: Uint8Array, prefix: number): Cidr {
  const network = maskBytes(bytes, prefix)
  const address = version === 4 ? formatIpv4(network) : formatIpv6(network)
  return { version, bytes: network, prefix, text: `${address}/${prefix}` }
}

/**
 * Parses a CIDR range such as `10.0.0.0/8` or `2001:db8::/32`.
 *
 * A bare address is a single-address range (/32 or /128). Host bits may be set and are
 * masked off (`10.1.2.3/8` is `10.0.0.0/8`). The prefix is 1-3 ASCII decimal digits within
 * the family's range. An IPv4-mapped IPv6 range with a prefix of at least 96
 * (`::ffff:10.0.0.0/104`) becomes the equivalent IPv4 range (`10.0.0.0/8`), because
 * {@link parseIp} reports mapped addresses as IPv4. Returns `null` for anything else;
 * never throws.
 */
export function parseCidr(input: string): Cidr | null {
  if (typeof input !== 'string') return null
  const slash = input.indexOf('/')
  if (slash === -1) {
    const ip = parseIp(input)
    if (ip === null) return null
    return makeCidr(ip.version, ip.bytes, ip.version === 4 ? 32 : 128)
  }

  const addressText = input.slice(0, slash)
  const prefixText = input.slice(slash + 1)
  if (prefixText.length === 0 || prefixText.length > 3) return null
  for (let i = 0; i < prefixText.length; i++) {
    const code = prefixText.charCodeAt(i)
    if (code < 48 || code > 57) return null
  }
  const prefix = Number(prefixText)
  if (addressText.length === 0 || addressText.length > MAX_IP_LENGTH) return null

  if (addressText.includes(':')) {
    if (prefix > 128) return null
    const bytes = parseIpv6WithZone(addressText)
    if (bytes === null) return null
    if (isMappedIpv4(bytes) && prefix >= 96) return makeCidr(4, bytes.slice(12, 16), prefix - 96)
    return makeCidr(6, bytes, prefix)
  }
  if (prefix > 32) return null
  const bytes = parseIpv4Bytes(addressText)
  return bytes === null ? null : makeCidr(4, bytes, prefix)
}

/**
 * Whether `ip` lies inside `cidr`. Address families never mix: an IPv4 address never
 * matches an IPv6 range, and an IPv6 address never matches an IPv4 range.
 */
export function cidrContains(cidr: Cidr, ip: ParsedIp): boolean {
  if (cidr.version !== ip.version) return false
  return samePrefix(cidr.bytes, ip.bytes, cidr.prefix)
}

/**
 * Keeps the first `prefix` bits of `ip` and zeroes the rest, returning a new address with
 * canonical text; e.g. `2001:db8:1:2:3:4:5:6` masked to 64 bits is `2001:db8:1:2::`.
 * Used to group IPv6 clients by network prefix. A prefix at or above the address width
 * (32 or 128) returns an equal copy.
 *
 * @throws RangeError if `prefix` is negative or not an integer.
 */
export function maskIp(ip: ParsedIp, prefix: number): ParsedIp {
  if (!Number.isInteger(prefix) || prefix < 0) {
    throw new RangeError(`maskIp: prefix must be a non-negative integer, got ${String(prefix)}`)
  }
  const width = ip.version === 4 ? 32 : 128
  return makeIp(ip.version, maskBytes(ip.bytes, Math.min(prefix, width)))
}

/** Builds a lookup table entry for a literal network; the literals below are all valid. */
function net(text: string): Cidr {
  const cidr = parseCidr(text)
  if (cidr === null) throw new Error(`invalid built-in network ${text}`)
  return cidr
}

function inAny(ip: ParsedIp, networks: readonly Cidr[]): boolean {
  for (const network of networks) if (cidrContains(network, ip)) return true
  return false
}

// Not-globally-reachable blocks of the IANA IPv4 and IPv6 special-purpose address
// registries, as CPython's `ipaddress` lists them (CPython main, which also has
// RFC 9637's 3fff::/20), together with the globally reachable exceptions inside them.
const IPV4_SHARED = net('100.64.0.0/10')
const IPV4_LOOPBACK = net('127.0.0.0/8')
const IPV4_NOT_GLOBAL: readonly Cidr[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.0.170/31',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '255.255.255.255/32',
].map(net)
const IPV4_GLOBAL_EXCEPTIONS: readonly Cidr[] = ['192.0.0.9/32', '192.0.0.10/32'].map(net)
const IPV6_NOT_GLOBAL: readonly Cidr[] = [
  '::1/128',
  '::/128',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  '3fff::/20',
  'fc00::/7',
  'fe80::/10',
].map(net)
const IPV6_GLOBAL_EXCEPTIONS: readonly Cidr[] = [
  '2001:1::1/128',
  '2001:1::2/128',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:20::/28',
  '2001:30::/28',
].map(net)

/** A version-6 ParsedIp built by hand may still hold a mapped address: classify it as IPv4. */
function unmapped(ip: ParsedIp): ParsedIp {
  return ip.version === 6 && isMappedIpv4(ip.bytes) ? makeIp(4, ip.bytes.slice(12, 16)) : ip
}

/**
 * Python's `ipaddress` `is_private`: the address is in a block the IANA special-purpose
 * registries mark as not globally reachable (10/8, 172.16/12, 192.168/16, 127/8,
 * 169.254/16, documentation ranges, `::1`, `fc00::/7`, `fe80::/10`, ...) and is not one of
 * the registries' globally reachable exceptions. `100.64.0.0/10` is neither private nor
 * global.
 */
export function isPrivateIp(ip: ParsedIp): boolean {
  const address = unmapped(ip)
  if (address.version === 4) {
    return inAny(address, IPV4_NOT_GLOBAL) && !inAny(address, IPV4_GLOBAL_EXCEPTIONS)
  }
  return inAny(address, IPV6_NOT_GLOBAL) && !inAny(address, IPV6_GLOBAL_EXCEPTIONS)
}

/**
 * Python's `ipaddress` `is_global`: not private, and for IPv4 not in the shared address
 * space `100.64.0.0/10`. As in Python, multicast addresses count as global.
 */
export function isGlobalIp(ip: ParsedIp): boolean {
  const address = unmapped(ip)
  if (address.version === 4 && cidrContains(IPV4_SHARED, address)) return false
  return !isPrivateIp(address)
}

/** Python's `ipaddress` `is_loopback`: `127.0.0.0/8` for IPv4, exactly `::1` for IPv6. */
export function isLoopbackIp(ip: ParsedIp): boolean {
  const address = unmapped(ip)
  if (address.version === 4) return cidrContains(IPV4_LOOPBACK, address)
  const bytes = address.bytes
  for (let i = 0; i < 15; i++) if (bytes[i] !== 0) return false
  return bytes[15] === 1
}

/**
 * Builds a matcher for a list of exact IP addresses and CIDR ranges (whitelists,
 * blacklists, trusted networks).
 *
 * Exact entries are compared canonically, so `2001:DB8::1` matches `2001:db8::1` and
 * `::ffff:10.0.0.1` matches `10.0.0.1`; they are kept in a Set of canonical text. Entries
 * containing `/` are CIDR ranges checked byte-wise. Entries that are neither (including
 * non-strings and entries with surrounding whitespace) are reported in `invalid` and ignored.
 * `matches(null)` and unparseable input are always `false`; `matches` never throws.
 */
export function createIpMatcher(entries: readonly string[]): IpMatcher {
  const exact = new Set<string>()
  const ranges: Cidr[] = []
  const invalid: string[] = []

  for (const entry of entries) {
    if (typeof entry !== 'string') {
      invalid.push(String(entry))
      continue
    }
    if (entry.includes('/')) {
      const cidr = parseCidr(entry)
      if (cidr === null) invalid.push(entry)
      else if (cidr.prefix === (cidr.version === 4 ? 32 : 128)) exact.add(formatCidrAddress(cidr))
      else ranges.push(cidr)
      continue
    }
    const ip = parseIp(entry)
    if (ip === null) invalid.push(entry)
    else exact.add(ip.text)
  }

  return {
    invalid,
    matches(ip: string | null): boolean {
      if (typeof ip !== 'string') return false
      if (exact.has(ip)) return true
      const parsed = parseIp(ip)
      if (parsed === null) return false
      if (exact.has(parsed.text)) return true
      for (const range of ranges) if (cidrContains(range, parsed)) return true
      return false
    },
  }
}

function formatCidrAddress(cidr: Cidr): string {
  return cidr.version === 4 ? formatIpv4(cidr.bytes) : formatIpv6(cidr.bytes)
}
