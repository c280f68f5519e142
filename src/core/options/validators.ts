/**
 * What each option accepts: one check per kind of value, returning the problem (the error
 * message's text after the option's name) or null. Each row of the options table (./table.ts)
 * names its check.
 */

import { lockoutParameterProblems } from '../../ground/buckets.js'
import { CAPABILITY_METHODS, HANDLER_METHODS } from '../../ground/contract.js'
import { createIpMatcher, parseCidr } from '../../ground/ip.js'
import { describe, parseDuration } from '../durations/parse.js'

/** Checks one option's value: the problem, or null when the value is accepted. */
export type Check = (value: unknown) => string | null

/**
 * A short, safe rendering of a value for error messages: the durations' (a long string cut, a
 * plain object's first fields, another object's class).
 */
export const show = (value: unknown): string => describe(value)

const isFn = (value: unknown): value is (...args: unknown[]) => unknown =>
  typeof value === 'function'

const wholeNumber = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max

/**
 * A check from a test and what the option accepts, in words: the problem is `expects <what>, got
 * <the value>`.
 */
const expects =
  (accepts: (v: unknown) => boolean, what: string): Check =>
  (v) =>
    accepts(v) ? null : `expects ${what}, got ${show(v)}`

/** One of these strings: `expects 'a' or 'b', got …`. */
const oneOf = (...values: string[]): Check =>
  expects((v) => values.includes(v as string), values.map((v) => `'${v}'`).join(' or '))

/** `true` or `false`. */
export const bool: Check = expects((v) => typeof v === 'boolean', 'true or false')

/** Any string. */
export const str: Check = expects((v) => typeof v === 'string', 'a string')

/** A string with at least one character. */
export const nonEmptyStr: Check = expects(
  (v) => typeof v === 'string' && v.length > 0,
  'a non-empty string',
)

/** A function, or null for none. */
export const fnOrNull: Check = expects((v) => v === null || isFn(v), 'a function or null')

/** A list of strings. */
export const strList: Check = expects(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  'a list of strings',
)

/** Which end of a forwarded-for list is the client. */
export const proxyOrder: Check = oneOf('left-most', 'right-most')

/** How many proxies, or null. */
export const proxyCount: Check = expects(
  (v) => v === null || wholeNumber(v, 0),
  'a whole number of proxies (0 or more) or null',
)

/** A failure count of at least 1, or a function of the request. */
export const failureLimit: Check = expects(
  (v) => isFn(v) || wholeNumber(v, 1),
  'a whole number of at least 1, or a function',
)

/** Lockout parameters, or a function returning them. */
export const lockoutParameters: Check = (v) =>
  isFn(v) ? null : lockoutParameterProblems(v).join('; ') || null

/** A URL path prefix. */
export const path: Check = expects(
  (v) => typeof v === 'string' && v.startsWith('/'),
  "a path starting with '/'",
)

/** An HTTP error status. */
export const httpErrorStatus: Check = expects(
  (v) => wholeNumber(v, 400, 599),
  'an HTTP error status from 400 to 599',
)

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
export const headerValue: Check = (v) => str(v) ?? noControlCharacters(v as string)

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
export const databaseUrl: Check = expects(
  (v) => typeof v === 'string' && /^(sqlite|file|postgres|postgresql|mysql|mariadb):/i.test(v),
  'a sqlite:, postgres: or mysql: URL',
)

/** A number of log rows to keep. */
export const rowCount: Check = expects(
  (v) => wholeNumber(v, 0),
  'a whole number of rows (0 or more)',
)

/** Where the client IP is read, in order. */
export const precedenceOrder: Check = expects(
  (v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0),
  "a non-empty list such as ['REMOTE_ADDR'] or ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR']",
)

/** An IPv6 prefix length, or null. */
export const ipv6Prefix: Check = expects(
  (v) => v === null || wholeNumber(v, 1, 128),
  'a prefix length from 1 to 128, or null',
)

/** A username normalisation. */
export const usernameNormalization: Check = expects(
  (v) => v === false || v === 'nfkc' || v === 'casefold' || v === 'nfkc-casefold' || isFn(v),
  "false, 'nfkc', 'casefold', 'nfkc-casefold' or a function",
)

/** What to do when the store fails. */
export const onStoreError: Check = oneOf('failClosed', 'failOpen')

/** What to do with a login whose client IP is unknown. */
export const unknownClientIp: Check = oneOf('refuse', 'shareBucket')

/** A clock function. */
export const clock: Check = expects(isFn, 'a function returning milliseconds')

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

/** The name of a built-in handler (a handler object is checked by `handler`). */
const handlerName = expects(
  (v) => v === 'database' || v === 'memory' || v === 'dummy' || v === 'test',
  "a handler object or 'database', 'memory', 'dummy', 'test'",
)

/** A handler object or the name of a built-in handler. */
export function handler(v: unknown): string | null {
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
  return handlerName(v)
}

/** A defence made by a factory from its own subpath (see the option's doc), or null. */
export const defence: Check = (v) =>
  v === null ||
  (typeof v === 'object' &&
    (isFn((v as Record<string, unknown>).screen) || isFn((v as Record<string, unknown>).repeated)))
    ? null
    : 'expects the object its factory makes, or null'
