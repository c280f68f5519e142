/**
 * Classification of addresses as Python's `ipaddress` does it: `is_private`, `is_global`
 * and `is_loopback`, from the IANA special-purpose address registries.
 *
 * @module
 */

import { invalidArgument } from './errors.js'
import { isMappedIpv4, makeIp, type ParsedIp } from './ip-address.js'
import { type Cidr, cidrContains, parseCidr } from './ip-range.js'

/** Builds a lookup table entry for a literal network; the literals below are all valid. */
function net(text: string): Cidr {
  const cidr = parseCidr(text)
  // Stryker disable next-line ConditionalExpression: equivalent as false (every literal here is valid); as true, every classification throws
  if (cidr === null) throw invalidArgument(`invalid built-in network ${text}`)
  return cidr
}

function inAny(ip: ParsedIp, networks: readonly Cidr[]): boolean {
  for (const network of networks) if (cidrContains(network, ip)) return true
  return false
}

// Not-globally-reachable blocks of the IANA IPv4 and IPv6 special-purpose address
// registries, as CPython's `ipaddress` lists them (CPython main, which also has
// RFC 9637's 3fff::/20), together with the globally reachable exceptions inside them.
const V4_NOT_GLOBAL = [
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
]
const V4_GLOBAL_EXCEPTIONS = ['192.0.0.9/32', '192.0.0.10/32']
const V6_NOT_GLOBAL = [
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
]
const V6_GLOBAL_EXCEPTIONS = [
  '2001:1::1/128',
  '2001:1::2/128',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:20::/28',
  '2001:30::/28',
]

/** The registries' networks, parsed. */
interface Registries {
  readonly v4Shared: Cidr
  readonly v4Loopback: Cidr
  readonly v4NotGlobal: readonly Cidr[]
  readonly v4GlobalExceptions: readonly Cidr[]
  readonly v6NotGlobal: readonly Cidr[]
  readonly v6GlobalExceptions: readonly Cidr[]
}

let registries: Registries | undefined

/**
 * The networks, parsed on first use rather than at import: an application that never classifies
 * an address never parses them, and a mistyped literal fails the classification tests instead of
 * every import of the module (which StrykerJS' vitest runner counted as a surviving mutant).
 */
function builtIn(): Registries {
  registries ??= {
    v4Shared: net('100.64.0.0/10'),
    v4Loopback: net('127.0.0.0/8'),
    v4NotGlobal: V4_NOT_GLOBAL.map(net),
    v4GlobalExceptions: V4_GLOBAL_EXCEPTIONS.map(net),
    v6NotGlobal: V6_NOT_GLOBAL.map(net),
    v6GlobalExceptions: V6_GLOBAL_EXCEPTIONS.map(net),
  }
  return registries
}

/** A version-6 ParsedIp built by hand may still hold a mapped address: classify it as IPv4. */
function unmapped(ip: ParsedIp): ParsedIp {
  // Stryker disable next-line ConditionalExpression: an IPv4 address's four bytes are never a mapped address, so the version test only saves the look
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
  const r = builtIn()
  if (address.version === 4) {
    return inAny(address, r.v4NotGlobal) && !inAny(address, r.v4GlobalExceptions)
  }
  return inAny(address, r.v6NotGlobal) && !inAny(address, r.v6GlobalExceptions)
}

/**
 * Python's `ipaddress` `is_global`: not private, and for IPv4 not in the shared address
 * space `100.64.0.0/10`. As in Python, multicast addresses count as global.
 */
export function isGlobalIp(ip: ParsedIp): boolean {
  const address = unmapped(ip)
  // Stryker disable next-line ConditionalExpression: a range never contains an address of the other family, so the version test only saves the look
  if (address.version === 4 && cidrContains(builtIn().v4Shared, address)) return false
  return !isPrivateIp(address)
}

/** Python's `ipaddress` `is_loopback`: `127.0.0.0/8` for IPv4, exactly `::1` for IPv6. */
export function isLoopbackIp(ip: ParsedIp): boolean {
  const address = unmapped(ip)
  if (address.version === 4) return cidrContains(builtIn().v4Loopback, address)
  const bytes = address.bytes
  for (let i = 0; i < 15; i++) if (bytes[i] !== 0) return false
  return bytes[15] === 1
}
