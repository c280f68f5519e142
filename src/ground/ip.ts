/**
 * IP address primitives in one import: parsing and canonical text (the forms Django stores),
 * the `is_global` / `is_private` / `is_loopback` classification of Python's `ipaddress`
 * module, CIDR ranges, prefix masking and allow/deny-list matching.
 *
 * Each job has its module: ip-address.ts (one address: parsing, text, masking), ip-range.ts
 * (CIDR ranges and address lists), ip-class.ts (classification). Nothing here throws on
 * untrusted input: parsers return `null` instead.
 *
 * @module
 */

export { maskIp, type ParsedIp, parseIp } from './ip-address.js'
export { isGlobalIp, isLoopbackIp, isPrivateIp } from './ip-class.js'
export { type Cidr, cidrContains, createIpMatcher, type IpMatcher, parseCidr } from './ip-range.js'
