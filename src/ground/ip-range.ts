/**
 * CIDR ranges and address lists: parsing a range (`10.0.0.0/8`, `2001:db8::/32`), testing
 * whether an address lies in one, and matching client IPs against a list of exact addresses
 * and ranges (whitelists, blacklists, trusted networks).
 *
 * Nothing here throws on untrusted input: parsers return `null` instead.
 *
 * @module
 */

import {
  formatIpv4,
  formatIpv6,
  isMappedIpv4,
  MAX_IP_LENGTH,
  maskBytes,
  type ParsedIp,
  parseIp,
  parseIpv4Bytes,
  parseIpv6WithZone,
} from './ip-address.js'

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

/** Whether the first `prefix` bits of `a` and `b` are equal (both at least that long). */
function samePrefix(a: Uint8Array, b: Uint8Array, prefix: number): boolean {
  const whole = prefix >> 3
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false
  const rest = prefix & 7
  // Stryker disable next-line ConditionalExpression: as false, rest 0 makes the mask (0xff << 8) & 0xff = 0, and 0 === 0
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((a[whole] ?? 0) & mask) === ((b[whole] ?? 0) & mask)
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
  // Stryker disable next-line EqualityOperator: charCodeAt(length) is NaN, which passes the digit test and ends the loop
  for (let i = 0; i < prefixText.length; i++) {
    const code = prefixText.charCodeAt(i)
    if (code < 48 || code > 57) return null
  }
  const prefix = Number(prefixText)
  // An empty address has no ':' and is refused as IPv4 below.
  if (addressText.length > MAX_IP_LENGTH) return null

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
  // Stryker disable next-line ArrayDeclaration: a non-range element has no version, and cidrContains refuses it
  const ranges: Cidr[] = []
  const invalid: string[] = []

  for (const entry of entries) {
    if (typeof entry !== 'string') {
      invalid.push(String(entry))
      continue
    }
    // A bare address is a full-length range (parseCidr), kept in the Set of exact entries.
    const cidr = parseCidr(entry)
    if (cidr === null) invalid.push(entry)
    else if (cidr.prefix === (cidr.version === 4 ? 32 : 128)) exact.add(formatCidrAddress(cidr))
    else ranges.push(cidr)
  }

  return {
    invalid,
    matches(ip: string | null): boolean {
      // Stryker disable next-line ConditionalExpression: as false, a non-string is in no Set and parseIp refuses it
      if (typeof ip !== 'string') return false
      // Stryker disable next-line ConditionalExpression: as false, the canonical text of a listed address is found in the Set two lines down
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
