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
