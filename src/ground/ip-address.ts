import { invalidArgument } from './errors.js'
/**
 * One IP address: parsing with the rules of Python's `ipaddress` (the forms Django stores),
 * canonical text, and prefix masking. IPv4-mapped IPv6 addresses are reported as IPv4.
 *
 * Nothing here throws on untrusted input: parsers return `null` instead. The byte-level
 * helpers exported below serve the ranges (ip-range.ts) and the classification
 * (ip-class.ts); the library's users see only what ip.ts re-exports.
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

/** Longest input accepted by {@link parseIp}. */
export const MAX_IP_LENGTH = 100

const HEX_DIGIT = /^[0-9a-fA-F]{1,4}$/

/**
 * Python's `ipaddress` rules for one IPv4 octet: 1-3 ASCII digits, no leading zero, <= 255
 * (at most 3 digits follows from the other two; the input is at most 100 characters).
 */
function parseOctet(part: string): number {
  const length = part.length
  if (length === 0) return -1
  // Stryker disable next-line EqualityOperator: charCodeAt(length) is NaN, which passes the digit test and ends the loop
  for (let i = 0; i < length; i++) {
    const code = part.charCodeAt(i)
    if (code < 48 || code > 57) return -1
  }
  if (length > 1 && part.charCodeAt(0) === 48) return -1
  const value = Number(part)
  return value > 255 ? -1 : value
}

/** Dotted-quad IPv4 text to its 4 bytes, or `null`. */
export function parseIpv4Bytes(input: string): Uint8Array | null {
  const parts = input.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    // Stryker disable next-line StringLiteral: i < 4 = parts.length, so the fallback (for the type checker) is never taken
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
  // Python's first check (at least 3 parts) is left to the others: fewer parts hold no `::`
  // and are not 8 groups.
  const parts = input.split(':')
  // Stryker disable next-line StringLiteral: split always returns at least one part, so the fallback (for the type checker) is never taken
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
  // Stryker disable next-line ConditionalExpression: Python's fast path; more than 9 parts leave no room for the `::` below (8 - (high + low) < 1)
  if (parts.length > 9) return null

  let skipIndex = -1
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      // Stryker disable next-line ConditionalExpression: an earlier empty part lies before the last one, so among the high groups parsed below, and '' is no hextet
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
      // Stryker disable next-line ConditionalExpression: with high > 0 the empty first part is among the high groups parsed below, and '' is no hextet
      if (high !== 0) return null
    }
    if (parts[parts.length - 1] === '') {
      low -= 1
      // Stryker disable next-line ConditionalExpression: with low > 0 the empty last part is among the low groups parsed below, and '' is no hextet
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
    // Stryker disable next-line StringLiteral: i < high <= parts.length, so the fallback (for the type checker) is never taken
    const group = parseHextet(parts[i] ?? '')
    if (group < 0) return null
    bytes[i * 2] = group >> 8
    bytes[i * 2 + 1] = group & 0xff
  }
  for (let i = 0; i < low; i++) {
    // Stryker disable next-line StringLiteral: the index is within the last low parts, so the fallback (for the type checker) is never taken
    const group = parseHextet(parts[parts.length - low + i] ?? '')
    if (group < 0) return null
    const slot = 8 - low + i
    bytes[slot * 2] = group >> 8
    bytes[slot * 2 + 1] = group & 0xff
  }
  return bytes
}

/**
 * A zone id must be non-empty and without `%` or `/` (as in Python), and, stricter than Python
 * (which keeps them), without whitespace (`str.isspace()`, and U+FEFF) or control characters
 * (C0, DEL, C1).
 */
function isValidZone(zone: string): boolean {
  if (zone.length === 0) return false
  // Stryker disable next-line EqualityOperator: charCodeAt(zone.length) is NaN, which no test below refuses, and the loop ends
  for (let i = 0; i < zone.length; i++) {
    const code = zone.charCodeAt(i)
    // C0 controls and space, '%', '/'; then DEL, the C1 controls (NEL among them) and no-break space.
    if (code <= 0x20 || code === 0x25 || code === 0x2f) return false
    if ((code >= 0x7f && code <= 0xa0) || code === 0x1680 || code === 0xfeff) return false
    if ((code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029) return false
    if (code === 0x202f || code === 0x205f || code === 0x3000) return false
  }
  return true
}

/** True when 16 bytes are an IPv4-mapped IPv6 address (`::ffff:0:0/96`). */
export function isMappedIpv4(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

/** Dotted-decimal text of 4 bytes. */
export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`
}

/** Python's `str(IPv6Address)`: lower-case groups, longest zero run (>= 2 groups, first on a tie) as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = []
  for (let i = 0; i < 8; i++) groups.push(((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0))

  // Stryker disable next-line UnaryOperator: read only when bestLength >= 2, after the first run has set it
  let bestStart = -1
  let bestLength = 0
  let runStart = -1
  let runLength = 0
  // Stryker disable next-line EqualityOperator: groups[8] is undefined, not 0: it ends a run, as the end of the loop does
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

/** A ParsedIp of `bytes` with its canonical text. */
export function makeIp(version: 4 | 6, bytes: Uint8Array): ParsedIp {
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
export function parseIpv6WithZone(input: string): Uint8Array | null {
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
  // '' is refused below: it has no ':' and is not four dotted octets.
  if (typeof input !== 'string' || input.length > MAX_IP_LENGTH) return null
  if (input.includes(':')) {
    const bytes = parseIpv6WithZone(input)
    return bytes === null ? null : fromIpv6Bytes(bytes)
  }
  const bytes = parseIpv4Bytes(input)
  return bytes === null ? null : makeIp(4, bytes)
}

/** A copy of `bytes` keeping the first `prefix` bits, the rest zeroed. */
export function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  const out = bytes.slice()
  const whole = prefix >> 3
  const rest = prefix & 7
  // Stryker disable next-line EqualityOperator: writing past a Uint8Array's end is ignored
  for (let i = whole; i < out.length; i++) {
    // Stryker disable next-line ConditionalExpression: with rest 0 the mask is (0xff << 8) & 0xff = 0, which zeroes the byte as the else does
    if (i === whole && rest !== 0) {
      out[i] = (out[i] ?? 0) & ((0xff << (8 - rest)) & 0xff)
    } else {
      out[i] = 0
    }
  }
  return out
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
    throw invalidArgument(`maskIp: prefix must be a non-negative integer, got ${String(prefix)}`)
  }
  // Stryker disable next-line ConditionalExpression: a cap of 128 on an IPv4 address keeps its 4 bytes as a cap of 32 does (the cap keeps `prefix >> 3` in range)
  const width = ip.version === 4 ? 32 : 128
  return makeIp(ip.version, maskBytes(ip.bytes, Math.min(prefix, width)))
}
