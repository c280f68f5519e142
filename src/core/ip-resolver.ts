/**
 * Client IP resolution with the semantics django-axes gets from django-ipware 7, which
 * calls python-ipware 3 `IpWare(...).get_client_ip(request.META, strict=True)`.
 *
 * @module
 */

import { invalidArgument } from '../ground/errors.js'
import {
  type Cidr,
  cidrContains,
  isGlobalIp,
  isLoopbackIp,
  type ParsedIp,
  parseCidr,
  parseIp,
} from '../ground/ip.js'

/** Options of {@link createIpResolver}; the django-axes setting each one mirrors is named. */
export interface IpResolverOptions {
  /**
   * Where to look, in order (`AXES_IPWARE_META_PRECEDENCE_ORDER`, default `['REMOTE_ADDR']`):
   * `'REMOTE_ADDR'` means the socket address; Django META names such as
   * `'HTTP_X_FORWARDED_FOR'` mean the header `x-forwarded-for`; a lower-case header name
   * (`'x-real-ip'`) is taken as is. See {@link headerNameForPrecedenceKey}.
   */
  precedence: readonly string[]
  /**
   * `AXES_IPWARE_PROXY_COUNT`: when set, a header is used only if it holds exactly
   * `proxyCount + 1` addresses (python-ipware strict mode); `null` disables the check.
   */
  proxyCount: number | null
  /**
   * `AXES_IPWARE_PROXY_TRUSTED_IPS`: when non-empty, a header is used only if it holds
   * exactly `trustedProxies.length + 1` addresses and the last `trustedProxies.length` of
   * them (after ordering) match these entries pairwise. An entry is a string prefix of the
   * canonical address text, compared as python-ipware does (`'10.0.0.1'` also matches
   * `10.0.0.12`); an entry containing `/` is a CIDR range instead (node-axes extension).
   */
  trustedProxies: readonly string[] | null
  /**
   * `AXES_IPWARE_PROXY_ORDER`: `'left-most'` when the client is the first address of a
   * forwarding header (`client, proxy1, proxy2`), `'right-most'` when it is the last.
   */
  proxyOrder: 'left-most' | 'right-most'
}

/** The parts of a request the resolver reads. */
export interface IpSource {
  /** Request headers with lower-case names, as Node's `IncomingMessage.headers`. Arrays are joined with `,`. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>
  /** The peer address of the socket (`req.socket.remoteAddress`), used for `'REMOTE_ADDR'`. */
  socketAddress?: string | null
}

/** Resolves the client IP of a request to canonical text, or `null` when none is usable. */
export type IpResolver = (source: IpSource) => string | null

/** Headers longer than this many characters are skipped without being parsed. */
const MAX_HEADER_LENGTH = 8192
/** Headers with more comma-separated entries than this are skipped without being parsed. */
const MAX_HEADER_ENTRIES = 100

/** Characters Python's `str.strip()` removes (those for which `str.isspace()` is true). */
function isPythonSpace(code: number): boolean {
  // 0x09-0x0d: tab to carriage return; 0x1c-0x20: the four separators and the space.
  if (code <= 0x20) return (code >= 0x09 && code <= 0x0d) || code >= 0x1c
  // Stryker disable next-line ConditionalExpression: as false, the list below holds no code between 0x21 and 0x84 either (a fast path)
  if (code < 0x85) return false
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  )
}

/** Python's `str.strip()` with no arguments. */
function pyStrip(value: string): string {
  // charCodeAt past either end is NaN, which is no space, so each loop stops there at the
  // latest; an all-space value ends with end (0) below start, and slice(start, end) is ''.
  let start = 0
  while (isPythonSpace(value.charCodeAt(start))) start++
  let end = value.length
  while (isPythonSpace(value.charCodeAt(end - 1))) end--
  return value.slice(start, end)
}

/**
 * One entry of a forwarding header, as python-ipware parses it: first as IPv6, where
 * `[addr]:port` is unwrapped (everything after the first `]:` dropped, every `[` removed);
 * failing that as IPv4, where everything from the first `:` is dropped. The port is never
 * validated. IPv4-mapped IPv6 becomes IPv4 (done by {@link parseIp}).
 */
function parseEntry(entry: string): ParsedIp | null {
  const bracket = entry.indexOf(']:')
  const v6 = bracket === -1 ? entry : pyStrip(entry.slice(0, bracket).replaceAll('[', ''))
  if (v6.includes(':')) {
    const ip = parseIp(v6)
    if (ip !== null) return ip
  }
  const colon = entry.indexOf(':')
  // Without a colon, parseIp only accepts IPv4, as Python's IPv4Address does.
  return parseIp(colon === -1 ? entry : pyStrip(entry.slice(0, colon)))
}

/** The value to examine, or `null` when absent, of the wrong type or too long. */
function readValue(raw: unknown): string | null {
  if (typeof raw === 'string') return raw.length > MAX_HEADER_LENGTH ? null : raw
  if (!Array.isArray(raw)) return null
  let joined: string | null = null
  for (const part of raw as unknown[]) {
    if (typeof part !== 'string') return null
    joined = joined === null ? part : `${joined},${part}`
    if (joined.length > MAX_HEADER_LENGTH) return null
  }
  return joined // null for an empty array
}

/** Strict parsing of a whole header: every entry must be valid, at most 100 of them. */
function parseList(value: string, rightMost: boolean): ParsedIp[] | null {
  let commas = 0
  for (let i = value.indexOf(','); i !== -1; i = value.indexOf(',', i + 1)) {
    commas += 1
    if (commas >= MAX_HEADER_ENTRIES) return null
  }
  const list: ParsedIp[] = []
  for (const part of value.split(',')) {
    const ip = parseEntry(pyStrip(part))
    if (ip === null) return null
    list.push(ip)
  }
  if (rightMost) list.reverse()
  return list
}

/** A trusted-proxy entry: a python-ipware string prefix, or a CIDR range (node-axes extension). */
type TrustedProxy = { kind: 'prefix'; prefix: string } | { kind: 'cidr'; cidr: Cidr }

function isTrustedAt(ip: ParsedIp | undefined, trusted: TrustedProxy): boolean {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: ip is never undefined (the list holds one address per trusted entry); the test is for the type checker
  if (ip === undefined) return false
  return trusted.kind === 'prefix'
    ? ip.text.startsWith(trusted.prefix)
    : cidrContains(trusted.cidr, ip)
}

/**
 * Maps one entry of the precedence list to the request header it names.
 *
 * - `'REMOTE_ADDR'` (any letter case) → `null`, meaning the socket address.
 * - A name with upper-case letters is a Django `request.META` key: the `HTTP_` prefix is
 *   dropped, `_` becomes `-`, and the result is lower-cased (`'HTTP_X_FORWARDED_FOR'` →
 *   `'x-forwarded-for'`, `'X-Real-IP'` → `'x-real-ip'`).
 * - A name without upper-case letters is a header name and is returned as is
 *   (`'x-real-ip'` → `'x-real-ip'`).
 */
export function headerNameForPrecedenceKey(key: string): string | null {
  if (key.toUpperCase() === 'REMOTE_ADDR') return null
  if (key === key.toLowerCase()) return key
  const name = key.startsWith('HTTP_') ? key.slice(5) : key
  return name.replaceAll('_', '-').toLowerCase()
}

/**
 * Creates a client IP resolver that follows python-ipware's strict mode, which is what
 * django-axes uses through django-ipware:
 *
 * 1. Each precedence entry is read in order (headers are looked up by lower-case name;
 *    arrays are joined with `,`; values are trimmed; empty or missing values are skipped).
 * 2. The value is split on `,`; each trimmed entry is parsed (`[v6]:port` unwrapped, IPv4
 *    `:port` dropped, IPv4-mapped IPv6 turned into IPv4). One invalid entry skips the whole
 *    header. `'right-most'` reverses the list.
 * 3. With `proxyCount`, the list must hold exactly `proxyCount + 1` addresses; with
 *    `trustedProxies`, exactly `trustedProxies.length + 1`, and the trailing entries must
 *    match the trusted entries pairwise. Otherwise the header is skipped.
 * 4. The candidate is the entry `trustedProxies.length + 1` (else `proxyCount + 1`) from the
 *    end, else the first; under the strict length checks that is always the first entry.
 * 5. A global candidate (Python's `is_global`) is returned at once. Otherwise the search goes
 *    on through the remaining precedence entries; at the end the first non-global,
 *    non-loopback candidate seen wins, else the first loopback one, else `null`.
 *
 * The returned function never throws: a header longer than 8 KiB or with more than 100
 * entries is skipped unparsed, and any unexpected value is treated as absent. It returns
 * canonical text (see {@link parseIp}), the form Django stores.
 *
 * @throws AxesError `AXES_INVALID_ARGUMENT` at creation when the options are malformed (non-string
 *   precedence entries, a negative or fractional `proxyCount`, an unknown `proxyOrder`, a
 *   trusted-proxy entry that is not a string, or a `/` entry that is not a valid CIDR).
 */
export function createIpResolver(options: IpResolverOptions): IpResolver {
  const { precedence, proxyCount, trustedProxies, proxyOrder } = options
  if (!Array.isArray(precedence)) throw invalidArgument('precedence must be an array of strings')
  const sources = precedence.map((key: unknown) => {
    if (typeof key !== 'string' || key.length === 0) {
      throw invalidArgument(`precedence entries must be non-empty strings, got ${String(key)}`)
    }
    return headerNameForPrecedenceKey(key)
  })
  if (proxyOrder !== 'left-most' && proxyOrder !== 'right-most') {
    throw invalidArgument(
      `proxyOrder must be 'left-most' or 'right-most', got ${String(proxyOrder)}`,
    )
  }
  if (proxyCount !== null && proxyCount !== undefined) {
    if (!Number.isSafeInteger(proxyCount) || proxyCount < 0) {
      throw invalidArgument(`proxyCount must be null or a non-negative integer, got ${proxyCount}`)
    }
  }
  const count = proxyCount ?? null
  const trusted: TrustedProxy[] = (trustedProxies ?? []).map((entry: unknown) => {
    if (typeof entry !== 'string') {
      throw invalidArgument(`trustedProxies entries must be strings, got ${String(entry)}`)
    }
    if (!entry.includes('/')) return { kind: 'prefix', prefix: entry }
    const cidr = parseCidr(entry)
    if (cidr === null) throw invalidArgument(`trustedProxies entry is not a valid CIDR: ${entry}`)
    // Stryker disable next-line StringLiteral: isTrustedAt only tests kind === 'prefix'
    return { kind: 'cidr', cidr }
  })
  const rightMost = proxyOrder === 'right-most'

  /** The address chosen from one header, or null when python-ipware would skip the header. */
  function candidateFrom(value: string): ParsedIp | null {
    // parseList never returns an empty list ('' splits into one part, which is no address).
    const list = parseList(value, rightMost)
    if (list === null) return null
    if (count !== null && list.length - 1 !== count) return null
    if (trusted.length > 0) {
      if (list.length - 1 !== trusted.length) return null
      // The proxies are the entries after the first, matched pairwise.
      const proxies = list.slice(1)
      if (!trusted.every((entry, i) => isTrustedAt(proxies[i], entry))) return null
    }
    // python-ipware takes the entry trustedProxies.length + 1 (else proxyCount + 1) from the
    // end; the strict length checks above make it the first.
    return list[0] ?? null
  }

  return (source: IpSource): string | null => {
    try {
      // Stryker disable next-line OptionalChaining: a null source then throws, and the catch answers null as the loop would
      const headers: unknown = source?.headers
      const headerMap =
        typeof headers === 'object' && headers !== null
          ? (headers as Record<string, unknown>)
          : undefined
      let firstPrivate: ParsedIp | null = null
      let firstLoopback: ParsedIp | null = null

      for (const name of sources) {
        const raw =
          name === null
            ? // Stryker disable next-line OptionalChaining: a null source then throws, and the catch answers null as the loop would
              source?.socketAddress
            : headerMap !== undefined && Object.hasOwn(headerMap, name)
              ? headerMap[name]
              : undefined
        const value = readValue(raw)
        if (value === null) continue
        const trimmed = pyStrip(value)
        // Stryker disable next-line ConditionalExpression: as false, '' is parsed as one entry, which is no address, and the header is skipped all the same
        if (trimmed.length === 0) continue

        const ip = candidateFrom(trimmed)
        if (ip === null) continue
        if (isGlobalIp(ip)) return ip.text
        if (isLoopbackIp(ip)) firstLoopback ??= ip
        else firstPrivate ??= ip
      }
      // Stryker disable next-line OptionalChaining: a null firstLoopback then throws, and the catch answers null
      return firstPrivate?.text ?? firstLoopback?.text ?? null
    } catch {
      return null
    }
  }
}
