/**
 * What each option accepts: one check per kind of value, returning the problem (the error
 * message's text after the option's name) or null. Each row of the options table (./table.ts)
 * names its check.
 */

import { lockoutParameterProblems } from '../../ground/buckets.js'
import { CAPABILITY_METHODS, HANDLER_METHODS } from '../../ground/contract.js'
import { createIpMatcher, parseCidr } from '../../ground/ip.js'
import { parseDuration } from '../durations.js'

/** Checks one option's value: the problem, or null when the value is accepted. */
export type Check = (value: unknown) => string | null

/** A short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value
    return JSON.stringify(cut)
  }
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

const isFn = (value: unknown): value is (...args: unknown[]) => unknown =>
  typeof value === 'function'

const wholeNumber = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max

/** `true` or `false`. */
export const bool: Check = (v) =>
  typeof v === 'boolean' ? null : `expects true or false, got ${show(v)}`

/** Any string. */
export const str: Check = (v) => (typeof v === 'string' ? null : `expects a string, got ${show(v)}`)

/** A string with at least one character. */
export const nonEmptyStr: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? null : `expects a non-empty string, got ${show(v)}`

/** A function, or null for none. */
export const fnOrNull: Check = (v) =>
  v === null || isFn(v) ? null : `expects a function or null, got ${show(v)}`

/** A list of strings. */
export const strList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
    ? null
    : `expects a list of strings, got ${show(v)}`

/** Which end of a forwarded-for list is the client. */
export const proxyOrder: Check = (v) =>
  v === 'left-most' || v === 'right-most'
    ? null
    : `expects 'left-most' or 'right-most', got ${show(v)}`

/** How many proxies, or null. */
export const proxyCount: Check = (v) =>
  v === null || wholeNumber(v, 0)
    ? null
    : `expects a whole number of proxies (0 or more) or null, got ${show(v)}`

/** A failure count of at least 1, or a function of the request. */
export const failureLimit: Check = (v) =>
  isFn(v) || wholeNumber(v, 1)
    ? null
    : `expects a whole number of at least 1, or a function, got ${show(v)}`

/** Lockout parameters, or a function returning them. */
export const lockoutParameters: Check = (v) =>
  isFn(v) ? null : lockoutParameterProblems(v).join('; ') || null

/** A URL path prefix. */
export const path: Check = (v) =>
  typeof v === 'string' && v.startsWith('/')
    ? null
    : `expects a path starting with '/', got ${show(v)}`

/** An HTTP error status. */
export const httpErrorStatus: Check = (v) =>
  wholeNumber(v, 400, 599) ? null : `expects an HTTP error status from 400 to 599, got ${show(v)}`

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/
const noControlCharacters = (v: string): string | null =>
  CONTROL_CHARACTERS.test(v) ? 'must not contain control characters (CR, LF, …)' : null

/** A URL fit for a `Location` header, or null. */
export const urlOrNull: Check = (v) => {
  if (v === null) return null
  if (typeof v !== 'string' || v.length === 0) return `expects a URL or null, got ${show(v)}`
  return noControlCharacters(v)
}

/** A string fit for a response header. */
export const headerValue: Check = (v) =>
  typeof v !== 'string' ? `expects a string, got ${show(v)}` : noControlCharacters(v)

/** An origin as a browser's `Origin` header serializes it: scheme, host, optional port; no path. */
const ORIGIN = /^[a-z][\w+.-]*:\/\/(\[[\da-f:.]+\]|[^\s/?#@,[\]:]+)(:\d{1,5})?$/i

/**
 * `allowedCorsOrigins`: a header value sent as it is (django-axes' string), or a non-empty list of
 * origins (`https://app.example`), each granted only to a request whose `Origin` it is.
 */
export const corsOrigins: Check = (v) => {
  if (!Array.isArray(v)) return headerValue(v)
  const bad = v.filter((x) => typeof x !== 'string' || !ORIGIN.test(x))
  return v.length > 0 && bad.length === 0
    ? null
    : `expects a string, or origins such as "https://app.example" (no path); not valid: ${bad.slice(0, 5).map(show).join(', ') || 'an empty list'}`
}

/** A database URL node-axes can open. */
export const databaseUrl: Check = (v) =>
  typeof v === 'string' && /^(sqlite|file|postgres|postgresql|mysql|mariadb):/i.test(v)
    ? null
    : `expects a sqlite:, postgres: or mysql: URL, got ${show(v)}`

/** A number of log rows to keep. */
export const rowCount: Check = (v) =>
  wholeNumber(v, 0) ? null : `expects a whole number of rows (0 or more), got ${show(v)}`

/** Where the client IP is read, in order. */
export const precedenceOrder: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)
    ? null
    : `expects a non-empty list such as ['REMOTE_ADDR'] or ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'], got ${show(v)}`

/** An IPv6 prefix length, or null. */
export const ipv6Prefix: Check = (v) =>
  v === null || wholeNumber(v, 1, 128)
    ? null
    : `expects a prefix length from 1 to 128, or null, got ${show(v)}`

/** A username normalisation. */
export const usernameNormalization: Check = (v) =>
  v === false || v === 'nfkc' || v === 'casefold' || v === 'nfkc-casefold' || isFn(v)
    ? null
    : `expects false, 'nfkc', 'casefold', 'nfkc-casefold' or a function, got ${show(v)}`

/** What to do when the store fails. */
export const onStoreError: Check = (v) =>
  v === 'failClosed' || v === 'failOpen'
    ? null
    : `expects 'failClosed' or 'failOpen', got ${show(v)}`

/** What to do with a login whose client IP is unknown. */
export const unknownClientIp: Check = (v) =>
  v === 'refuse' || v === 'shareBucket' ? null : `expects 'refuse' or 'shareBucket', got ${show(v)}`

/** A clock function. */
export const clock: Check = (v) =>
  isFn(v) ? null : `expects a function returning milliseconds, got ${show(v)}`

/** IP addresses or CIDR ranges, or null. */
export function ipList(v: unknown): string | null {
  if (v === null) return null
  const problem = strList(v)
  if (problem) return problem
  const { invalid } = createIpMatcher(v as string[])
  return invalid.length === 0
    ? null
    : `expects IP addresses or CIDR ranges; not valid: ${invalid.slice(0, 5).map(show).join(', ')}`
}

/** Trusted proxies: IP prefixes or CIDR ranges, or null. */
export function trustedProxies(v: unknown): string | null {
  if (v === null) return null
  const problem = strList(v)
  if (problem) return problem
  const bad = (v as string[]).filter((entry) =>
    entry.includes('/') ? parseCidr(entry) === null : entry.length === 0,
  )
  return bad.length === 0
    ? null
    : `expects IP prefixes or CIDR ranges; not valid: ${bad.slice(0, 5).map(show).join(', ')}`
}

/** A duration, optionally also a function of the request or null. */
export function duration(allowFunction: boolean, allowNull: boolean): Check {
  return (v) => {
    if (v === null && allowNull) return null
    if (allowFunction && isFn(v)) return null
    const parsed = parseDuration(v)
    return parsed.ok ? null : parsed.reason
  }
}

/** Progressive lockout tiers, or null. */
export function tiers(v: unknown): string | null {
  if (v === null) return null
  if (!Array.isArray(v) || v.length === 0) {
    return 'expects a non-empty list of { failures, cooloff } tiers, or null (check axes.W008)'
  }
  const problems: string[] = []
  const seen = new Set<number>()
  v.forEach((tier: unknown, index) => {
    if (typeof tier !== 'object' || tier === null) {
      problems.push(`tier ${index} is not an object { failures, cooloff }`)
      return
    }
    const { failures, cooloff, ...rest } = tier as Record<string, unknown>
    const extra = Object.keys(rest)
    if (extra.length > 0) problems.push(`tier ${index} has unknown keys ${extra.join(', ')}`)
    if (typeof failures !== 'number' || !Number.isSafeInteger(failures) || failures < 1) {
      problems.push(`tier ${index}: failures must be a whole number of at least 1`)
    } else if (seen.has(failures)) {
      problems.push(`tier ${index}: two tiers start at ${failures} failures`)
    } else seen.add(failures)
    const parsed = parseDuration(cooloff)
    if (!parsed.ok) problems.push(`tier ${index}: cooloff ${parsed.reason}`)
  })
  return problems.length === 0 ? null : `${problems.join('; ')} (check axes.W008)`
}

/** A logger object, `false`, or django-axes' deprecated logger name. */
export function logger(v: unknown): string | null {
  if (v === false || typeof v === 'string') return null
  if (typeof v === 'object' && v !== null) {
    const methods = v as Record<string, unknown>
    const missing = ['info', 'warn', 'error'].filter((m) => typeof methods[m] !== 'function')
    return missing.length === 0 ? null : `expects a logger with ${missing.join(', ')} methods`
  }
  return `expects a logger object (console, pino, …) or false, got ${show(v)}`
}

/** A handler object or the name of a built-in handler. */
export function handler(v: unknown): string | null {
  if (v === 'database' || v === 'memory' || v === 'dummy' || v === 'test') return null
  if (typeof v === 'string') {
    return `expects a handler object or 'database', 'memory', 'dummy', 'test', got ${show(v)}`
  }
  if (typeof v === 'object' && v !== null) {
    const h = v as Record<string, unknown>
    const missing: string[] = HANDLER_METHODS.filter((m) => typeof h[m] !== 'function')
    // A capability it declares must come with its methods (undeclared ones are read from them).
    const supports = (typeof h.supports === 'object' && h.supports) || {}
    for (const [name, methods] of Object.entries(CAPABILITY_METHODS)) {
      if ((supports as Record<string, unknown>)[name] !== true) continue
      missing.push(...methods.filter((m) => typeof h[m] !== 'function'))
    }
    return missing.length === 0
      ? null
      : `is not a handler: it lacks ${missing.join(', ')} (see node-axes' AxesHandler)`
  }
  return `expects a handler object or 'database', 'memory', 'dummy', 'test', got ${show(v)}`
}

/** A defence made by a factory from its own subpath (see the option's doc), or null. */
export const defence: Check = (v) =>
  v === null ||
  (typeof v === 'object' &&
    (isFn((v as Record<string, unknown>).screen) || isFn((v as Record<string, unknown>).repeated)))
    ? null
    : 'expects the object its factory makes, or null'
