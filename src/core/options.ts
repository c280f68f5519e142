/**
 * Options: every django-axes 8.3.1 setting as a camelCase option with django-axes' default, the
 * node-axes extensions, and the validation that `createAxes` runs.
 */

import {
  type LockoutParameterItem,
  type LockoutParametersFunction,
  lockoutParameterProblems,
} from '../ground/buckets.js'
import { type AxesHandler, HANDLER_METHODS } from '../ground/contract.js'
import { AxesConfigError, type OptionIssue } from '../ground/errors.js'
import { createIpMatcher, parseCidr } from '../ground/ip.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import { type DurationInput, parseDuration } from './durations.js'
import type { AxesResponse, LockoutContext, LockoutDecision } from './types.js'

/** A function of the request that returns a duration (django-axes' callable `AXES_COOLOFF_TIME`). */
export type CooloffFunction = (request: AxesRequest) => DurationInput | null | undefined

/** The failure limit as a function of the request (django-axes' callable `AXES_FAILURE_LIMIT`). */
export type FailureLimitFunction = (request: AxesRequest, credentials: Credentials | null) => number

/** A progressive lockout tier: from `failures` failures on, the lock lasts `cooloff`. */
export interface LockoutTier {
  /** Failures at which this tier starts. */
  failures: number
  /** How long the lock lasts in this tier. */
  cooloff: DurationInput
}

/** What the application's `lockoutCallable` receives besides the request. */
export interface LockoutCallableDetails {
  /** The decision being answered. */
  decision: LockoutDecision
  /** The credentials of the attempt, masked, or null. */
  credentials: Credentials | null
  /** django-axes' lockout context. */
  context: LockoutContext
  /** The response the application had produced, when the adapter has one. */
  originalResponse?: unknown
}

/** A logger: `console`, pino, winston and most others fit. */
export interface AxesLogger {
  debug?(message: string, ...details: unknown[]): void
  info(message: string, ...details: unknown[]): void
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/** How usernames are normalised before counting (node-axes extension). */
export type UsernameNormalization =
  | false
  | 'nfkc'
  | 'casefold'
  | 'nfkc-casefold'
  | ((username: string) => string)

/**
 * The options of `createAxes`. Each django-axes setting `AXES_X_Y` is the option `xY`, with
 * django-axes 8.3.1's default; where Django takes a dotted path, node-axes takes a function.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 *
 * const axes = createAxes({
 *   failureLimit: 5,
 *   cooloffTime: '15m',
 *   lockoutParameters: [['username', 'ip_address']],
 * })
 * ```
 */
export interface AxesOptions {
  /**
   * Master switch (`AXES_ENABLED`). When false, every request is allowed and nothing is recorded.
   * @default true
   */
  enabled?: boolean
  /**
   * Failures at which a client is locked out (`AXES_FAILURE_LIMIT`): a number, or a function of the
   * request and credentials. Ignored when `lockoutTiers` is set (the lowest tier's count applies).
   * @default 3
   */
  failureLimit?: number | FailureLimitFunction
  /**
   * Whether reaching the limit locks the client out (`AXES_LOCK_OUT_AT_FAILURE`). When false,
   * failures are still counted but nobody is locked.
   * @default true
   */
  lockOutAtFailure?: boolean
  /**
   * What identifies a client (`AXES_LOCKOUT_PARAMETERS`): a list of `ip_address`, `username`,
   * `user_agent`; items are OR-ed, an inner list's names AND-ed. Or a function of the request and
   * credentials returning such a list.
   * @default ['ip_address']
   * @example
   * ```ts
   * createAxes({ lockoutParameters: ['ip_address', ['username', 'ip_address']] })
   * ```
   */
  lockoutParameters?: readonly LockoutParameterItem[] | LockoutParametersFunction
  /**
   * How long failures count and a lockout lasts (`AXES_COOLOFF_TIME`): a number of hours, a string
   * with a unit (`'15m'`, `'2h'`, `'1d'`), an object (`{ minutes: 15 }`), an ISO 8601 duration, or
   * a function of the request. Null locks out until reset.
   * @default null
   */
  cooloffTime?: DurationInput | CooloffFunction | null
  /**
   * Store an expiry per attempt row (`AXES_USE_ATTEMPT_EXPIRATION`, database handler).
   * @default false
   */
  useAttemptExpiration?: boolean
  /**
   * Progressive lockouts (`AXES_LOCKOUT_TIERS`): the lock lasts longer as failures grow. Unlike
   * django-axes, whose tiers only change the message, every node-axes handler honours them.
   * @default null
   * @example
   * ```ts
   * createAxes({ lockoutTiers: [{ failures: 3, cooloff: '1m' }, { failures: 6, cooloff: '1h' }] })
   * ```
   */
  lockoutTiers?: readonly LockoutTier[] | null
  /**
   * Delete the client's failures when it logs in successfully (`AXES_RESET_ON_SUCCESS`).
   * @default false
   */
  resetOnSuccess?: boolean
  /**
   * Record attempts refused during a lockout as failures, which restarts the cool-off
   * (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`).
   * @default true
   */
  resetCoolOffOnFailureDuringLockout?: boolean
  /**
   * Protect only the admin site (`AXES_ONLY_ADMIN_SITE`): requests outside `adminPath` are allowed
   * and not recorded.
   * @default false
   */
  onlyAdminSite?: boolean
  /**
   * The admin site's path prefix, for `onlyAdminSite` (Django's `reverse('admin:index')`).
   * @default '/admin/'
   */
  adminPath?: string
  /**
   * Never lock out GET requests (`AXES_NEVER_LOCKOUT_GET`).
   * @default false
   */
  neverLockoutGet?: boolean
  /**
   * Never lock out IPs in `ipWhitelist` (`AXES_NEVER_LOCKOUT_WHITELIST`).
   * @default false
   */
  neverLockoutWhitelist?: boolean
  /**
   * Allow only IPs in `ipWhitelist`; every other IP is refused (`AXES_ONLY_WHITELIST`).
   * @default false
   */
  onlyWhitelist?: boolean
  /**
   * IPs that are never locked out (with `neverLockoutWhitelist`) or the only ones allowed (with
   * `onlyWhitelist`) (`AXES_IP_WHITELIST`). Exact IPs or CIDR ranges (`10.0.0.0/8`).
   * @default null
   */
  ipWhitelist?: readonly string[] | null
  /**
   * IPs that are always refused (`AXES_IP_BLACKLIST`); takes precedence over the whitelist. Exact
   * IPs or CIDR ranges.
   * @default null
   */
  ipBlacklist?: readonly string[] | null
  /**
   * A function deciding that an attempt is whitelisted: never locked, never recorded
   * (`AXES_WHITELIST_CALLABLE`).
   * @default null
   */
  whitelistCallable?:
    | ((request: AxesRequest, credentials: Credentials | null) => boolean | Promise<boolean>)
    | null
  /**
   * The credentials or body field holding the username (`AXES_USERNAME_FORM_FIELD`).
   * @default 'username'
   */
  usernameFormField?: string
  /**
   * The field holding the password; always masked (`AXES_PASSWORD_FORM_FIELD`).
   * @default 'password'
   */
  passwordFormField?: string
  /**
   * A function returning the username; takes precedence over the field (`AXES_USERNAME_CALLABLE`).
   * @default null
   */
  usernameCallable?:
    | ((request: AxesRequest, credentials: Credentials | null) => string | null | undefined)
    | null
  /**
   * A function returning the client IP; takes precedence over the ipware options
   * (`AXES_CLIENT_IP_CALLABLE`).
   * @default null
   */
  clientIpCallable?: ((request: AxesRequest) => string | null | undefined) | null
  /**
   * A function building the client description used in logs (`AXES_CLIENT_STR_CALLABLE`).
   * @default null
   */
  clientStrCallable?:
    | ((
        username: string | null,
        ipAddress: string | null,
        userAgent: string,
        pathInfo: string,
        request: AxesRequest,
      ) => string)
    | null
  /**
   * Keys masked in stored request data and in logs, besides `password` and `passwordFormField`
   * (`AXES_SENSITIVE_PARAMETERS`).
   * @default ['username', 'ip_address']
   */
  sensitiveParameters?: readonly string[]
  /**
   * The status of lockout responses (`AXES_HTTP_RESPONSE_CODE`); a redirect is always 302.
   * @default 429
   */
  httpResponseCode?: number
  /**
   * Renders the lockout page as HTML from django-axes' lockout context (`AXES_LOCKOUT_TEMPLATE`).
   * Escape what you interpolate: `context.username` comes from the client.
   * @default null
   */
  lockoutTemplate?: ((context: LockoutContext, request: AxesRequest) => string) | null
  /**
   * Redirect locked-out clients here, with `?username=` (`AXES_LOCKOUT_URL`).
   * @default null
   */
  lockoutUrl?: string | null
  /**
   * Builds the whole lockout response (`AXES_LOCKOUT_CALLABLE`).
   * @default null
   */
  lockoutCallable?:
    | ((
        request: AxesRequest,
        details: LockoutCallableDetails,
      ) => AxesResponse | Promise<AxesResponse>)
    | null
  /**
   * The message of a lockout with a cool-off (`AXES_COOLOFF_MESSAGE`).
   * @default 'Account locked: too many login attempts. Please try again later.'
   */
  cooloffMessage?: string
  /**
   * The message of a lockout until reset (`AXES_PERMALOCK_MESSAGE`).
   * @default 'Account locked: too many login attempts. Contact an admin to unlock your account.'
   */
  permalockMessage?: string
  /**
   * `Access-Control-Allow-Origin` of the XHR lockout response (`AXES_ALLOWED_CORS_ORIGINS`).
   * @default '*'
   */
  allowedCorsOrigins?: string
  /**
   * Send `Retry-After` (seconds) on lockout responses with a cool-off
   * (`AXES_ENABLE_RETRY_AFTER_HEADER`).
   * @default false
   */
  enableRetryAfterHeader?: boolean
  /**
   * Where attempts are kept (`AXES_HANDLER`): a handler object, or `'database'` (django-axes'
   * tables at `databaseUrl`, by default a SQLite file: persistence with no server), `'memory'`,
   * `'dummy'`, `'test'`.
   * @default 'database'
   */
  handler?: AxesHandler | 'database' | 'memory' | 'dummy' | 'test'
  /**
   * Where the default database handler keeps attempts (`handler: 'database'`, the default): a
   * `sqlite:` file, or a `postgres:` or `mysql:` URL. The file is relative to the working directory.
   * @default 'sqlite:axes.sqlite3'
   */
  databaseUrl?: string
  /**
   * Do not write access logs on login and logout (`AXES_DISABLE_ACCESS_LOG`).
   * @default false
   */
  disableAccessLog?: boolean
  /**
   * Write one access failure log row per failure (`AXES_ENABLE_ACCESS_FAILURE_LOG`).
   * @default false
   */
  enableAccessFailureLog?: boolean
  /**
   * Failure log rows kept per username (`AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT`).
   * @default 1000
   */
  accessFailureLogPerUserLimit?: number
  /**
   * Log the start-up line and full client details (`AXES_VERBOSE`).
   * @default the value of `enabled`
   */
  verbose?: boolean
  /**
   * Whether the admin pages may be mounted (`AXES_ENABLE_ADMIN`).
   * @default true
   */
  enableAdmin?: boolean
  /**
   * Which end of a forwarded-for list is the client (`AXES_IPWARE_PROXY_ORDER`).
   * @default 'left-most'
   */
  ipwareProxyOrder?: 'left-most' | 'right-most'
  /**
   * How many proxy addresses the forwarded-for header carries after the client's
   * (`AXES_IPWARE_PROXY_COUNT`). python-ipware requires exactly this many plus one entries and
   * skips the header otherwise. Behind one proxy that appends the client's address (nginx's
   * `$proxy_add_x_forwarded_for`, AWS ALB) the header holds only the client: use 0. A count also
   * applies to the socket address, which then never qualifies: put the header in
   * `ipwareMetaPrecedenceOrder`. See docs/client-ip.md.
   * @default null
   */
  ipwareProxyCount?: number | null
  /**
   * Trusted proxy IP prefixes (`AXES_IPWARE_PROXY_TRUSTED_IPS`); entries with `/` are CIDR ranges.
   * @default null
   */
  ipwareProxyTrustedIps?: readonly string[] | null
  /**
   * Where the client IP is read, in order (`AXES_IPWARE_META_PRECEDENCE_ORDER`): `REMOTE_ADDR` is
   * the socket address; `HTTP_X_FORWARDED_FOR` or `x-forwarded-for` a header. The default trusts no
   * header.
   * @default ['REMOTE_ADDR']
   */
  ipwareMetaPrecedenceOrder?: readonly string[]

  /** @deprecated django-axes' `AXES_PROXY_ORDER`; use `ipwareProxyOrder` (check axes.W004). */
  proxyOrder?: 'left-most' | 'right-most'
  /** @deprecated django-axes' `AXES_PROXY_COUNT`; use `ipwareProxyCount` (check axes.W004). */
  proxyCount?: number | null
  /** @deprecated django-axes' `AXES_PROXY_TRUSTED_IPS`; use `ipwareProxyTrustedIps` (axes.W004). */
  proxyTrustedIps?: readonly string[] | null
  /** @deprecated django-axes' `AXES_META_PRECEDENCE_ORDER`; use `ipwareMetaPrecedenceOrder` (axes.W004). */
  metaPrecedenceOrder?: readonly string[]
  /** @deprecated django-axes' `AXES_ONLY_USER_FAILURES`; use `lockoutParameters: ['username']`. */
  onlyUserFailures?: boolean
  /** @deprecated django-axes' `AXES_LOCK_OUT_BY_USER_OR_IP`; use `['username', 'ip_address']`. */
  lockOutByUserOrIp?: boolean
  /** @deprecated `AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP`; use `[['username', 'ip_address']]`. */
  lockOutByCombinationUserAndIp?: boolean
  /** @deprecated django-axes' `AXES_USE_USER_AGENT`; add `user_agent` to `lockoutParameters`. */
  useUserAgent?: boolean
  /** @deprecated django-axes' `AXES_DISABLE_SUCCESS_ACCESS_LOG`; a no-op (check axes.W004). */
  disableSuccessAccessLog?: boolean

  // ----- node-axes extensions -----

  /**
   * Group IPv6 clients by this prefix length, so that one host rotating addresses inside its /64
   * counts as one client. The network address is what is counted and stored. Null counts every
   * address on its own, as django-axes does.
   * @default null
   * @example
   * ```ts
   * createAxes({ ipv6Prefix: 64 })
   * ```
   */
  ipv6Prefix?: number | null
  /**
   * Normalise usernames before counting: `'nfkc'` (Unicode compatibility form), `'casefold'`,
   * `'nfkc-casefold'` (both, so `Bob`, `BOB` and `ｂｏｂ` share a bucket), or a function.
   * django-axes does not normalise.
   * @default false
   */
  usernameNormalization?: UsernameNormalization
  /**
   * What to do when the store fails: `'failClosed'` refuses the login (HTTP 503) rather than let it
   * through unprotected; `'failOpen'` lets it through. Every occurrence is logged.
   * @default 'failClosed'
   */
  onStoreError?: 'failClosed' | 'failOpen'
  /**
   * How long a reservation (an attempt whose credentials are being verified) holds its place if the
   * application never settles it.
   * @default '30s'
   */
  reservationTimeout?: DurationInput
  /**
   * Check codes not to report, e.g. `['axes.W006']`.
   * @default []
   */
  silencedChecks?: readonly string[]
  /**
   * Where node-axes logs; `false` for nowhere. The default writes warnings and errors to the
   * console and drops `info` (each failure, login and logout) and `debug`; pass `console` or your
   * own logger to see them. A string is django-axes' deprecated `AXES_LOGGER` (ignored, check
   * axes.W004).
   * @default warnings and errors to the console
   */
  logger?: AxesLogger | false | string
  /**
   * The clock, in milliseconds since the epoch (for tests).
   * @default Date.now
   */
  clock?: () => number
}

/** Options after validation and defaults; what the engine reads. */
export interface ResolvedOptions {
  enabled: boolean
  failureLimit: number | FailureLimitFunction
  lockOutAtFailure: boolean
  lockoutParameters: readonly LockoutParameterItem[] | LockoutParametersFunction
  cooloffTime: number | CooloffFunction | null
  useAttemptExpiration: boolean
  lockoutTiers: readonly { failures: number; cooloffMs: number }[]
  resetOnSuccess: boolean
  resetCoolOffOnFailureDuringLockout: boolean
  onlyAdminSite: boolean
  adminPath: string
  neverLockoutGet: boolean
  neverLockoutWhitelist: boolean
  onlyWhitelist: boolean
  ipWhitelist: readonly string[] | null
  ipBlacklist: readonly string[] | null
  whitelistCallable: AxesOptions['whitelistCallable']
  usernameFormField: string
  passwordFormField: string
  usernameCallable: AxesOptions['usernameCallable']
  clientIpCallable: AxesOptions['clientIpCallable']
  clientStrCallable: AxesOptions['clientStrCallable']
  sensitiveParameters: readonly string[]
  httpResponseCode: number
  lockoutTemplate: AxesOptions['lockoutTemplate']
  lockoutUrl: string | null
  lockoutCallable: AxesOptions['lockoutCallable']
  cooloffMessage: string
  permalockMessage: string
  allowedCorsOrigins: string
  enableRetryAfterHeader: boolean
  handler: AxesHandler | 'database' | 'memory' | 'dummy' | 'test'
  databaseUrl: string
  disableAccessLog: boolean
  enableAccessFailureLog: boolean
  accessFailureLogPerUserLimit: number
  verbose: boolean
  enableAdmin: boolean
  ipwareProxyOrder: 'left-most' | 'right-most'
  ipwareProxyCount: number | null
  ipwareProxyTrustedIps: readonly string[] | null
  ipwareMetaPrecedenceOrder: readonly string[]
  ipv6Prefix: number | null
  usernameNormalization: UsernameNormalization
  onStoreError: 'failClosed' | 'failOpen'
  reservationTimeoutMs: number
  silencedChecks: readonly string[]
  logger: AxesLogger | false
  clock: () => number
  /** The deprecated options that were given (for check axes.W004), as option names. */
  deprecatedGiven: readonly string[]
}

/** The deprecated option names, in django-axes' W004 order. */
export const DEPRECATED_OPTIONS = [
  'disableSuccessAccessLog',
  'proxyOrder',
  'proxyCount',
  'proxyTrustedIps',
  'metaPrecedenceOrder',
  'onlyUserFailures',
  'lockOutByUserOrIp',
  'lockOutByCombinationUserAndIp',
  'useUserAgent',
] as const

/** django-axes' default messages. */
export const DEFAULT_COOLOFF_MESSAGE =
  'Account locked: too many login attempts. Please try again later.'
/** django-axes' default message for a lockout until reset. */
export const DEFAULT_PERMALOCK_MESSAGE =
  'Account locked: too many login attempts. Contact an admin to unlock your account.'

type Check = (value: unknown) => string | null

const isFn = (value: unknown): value is (...args: unknown[]) => unknown =>
  typeof value === 'function'

const bool: Check = (v) => (typeof v === 'boolean' ? null : `expects true or false, got ${show(v)}`)
const str: Check = (v) => (typeof v === 'string' ? null : `expects a string, got ${show(v)}`)
const nonEmptyStr: Check = (v) =>
  typeof v === 'string' && v.length > 0 ? null : `expects a non-empty string, got ${show(v)}`
const fnOrNull: Check = (v) =>
  v === null || isFn(v) ? null : `expects a function or null, got ${show(v)}`
const strList: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string')
    ? null
    : `expects a list of strings, got ${show(v)}`
const proxyOrder: Check = (v) =>
  v === 'left-most' || v === 'right-most'
    ? null
    : `expects 'left-most' or 'right-most', got ${show(v)}`
const proxyCount: Check = (v) =>
  v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
    ? null
    : `expects a whole number of proxies (0 or more) or null, got ${show(v)}`

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

function ipListCheck(v: unknown): string | null {
  if (v === null) return null
  const problem = strList(v)
  if (problem) return problem
  const { invalid } = createIpMatcher(v as string[])
  return invalid.length === 0
    ? null
    : `expects IP addresses or CIDR ranges; not valid: ${invalid.slice(0, 5).map(show).join(', ')}`
}

function trustedProxiesCheck(v: unknown): string | null {
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

function durationCheck(allowFunction: boolean, allowNull: boolean): Check {
  return (v) => {
    if (v === null && allowNull) return null
    if (allowFunction && isFn(v)) return null
    const parsed = parseDuration(v)
    return parsed.ok ? null : parsed.reason
  }
}

function tiersCheck(v: unknown): string | null {
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

function loggerCheck(v: unknown): string | null {
  if (v === false || typeof v === 'string') return null
  if (typeof v === 'object' && v !== null) {
    const logger = v as Record<string, unknown>
    const missing = ['info', 'warn', 'error'].filter((m) => typeof logger[m] !== 'function')
    return missing.length === 0 ? null : `expects a logger with ${missing.join(', ')} methods`
  }
  return `expects a logger object (console, pino, …) or false, got ${show(v)}`
}

function handlerCheck(v: unknown): string | null {
  if (v === 'database' || v === 'memory' || v === 'dummy' || v === 'test') return null
  if (typeof v === 'string') {
    return `expects a handler object or 'database', 'memory', 'dummy', 'test', got ${show(v)}`
  }
  if (typeof v === 'object' && v !== null) {
    const h = v as Record<string, unknown>
    const missing = HANDLER_METHODS.filter((m) => typeof h[m] !== 'function')
    return missing.length === 0
      ? null
      : `is not a handler: it lacks ${missing.join(', ')} (see node-axes' AxesHandler)`
  }
  return `expects a handler object or 'database', 'memory', 'dummy', 'test', got ${show(v)}`
}

/** What each option accepts. */
const CHECKS: Record<keyof AxesOptions, Check> = {
  enabled: bool,
  failureLimit: (v) =>
    isFn(v) || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)
      ? null
      : `expects a whole number of at least 1, or a function, got ${show(v)}`,
  lockOutAtFailure: bool,
  lockoutParameters: (v) => (isFn(v) ? null : lockoutParameterProblems(v).join('; ') || null),
  cooloffTime: durationCheck(true, true),
  useAttemptExpiration: bool,
  lockoutTiers: tiersCheck,
  resetOnSuccess: bool,
  resetCoolOffOnFailureDuringLockout: bool,
  onlyAdminSite: bool,
  adminPath: (v) =>
    typeof v === 'string' && v.startsWith('/')
      ? null
      : `expects a path starting with '/', got ${show(v)}`,
  neverLockoutGet: bool,
  neverLockoutWhitelist: bool,
  onlyWhitelist: bool,
  ipWhitelist: ipListCheck,
  ipBlacklist: ipListCheck,
  whitelistCallable: fnOrNull,
  usernameFormField: nonEmptyStr,
  passwordFormField: nonEmptyStr,
  usernameCallable: fnOrNull,
  clientIpCallable: fnOrNull,
  clientStrCallable: fnOrNull,
  sensitiveParameters: strList,
  httpResponseCode: (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 400 && v <= 599
      ? null
      : `expects an HTTP error status from 400 to 599, got ${show(v)}`,
  lockoutTemplate: fnOrNull,
  lockoutUrl: (v) => {
    if (v === null) return null
    if (typeof v !== 'string' || v.length === 0) return `expects a URL or null, got ${show(v)}`
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    return /[\u0000-\u001f\u007f]/.test(v)
      ? 'must not contain control characters (CR, LF, …)'
      : null
  },
  lockoutCallable: fnOrNull,
  cooloffMessage: str,
  permalockMessage: str,
  allowedCorsOrigins: (v) => {
    if (typeof v !== 'string') return `expects a string, got ${show(v)}`
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    return /[\u0000-\u001f\u007f]/.test(v)
      ? 'must not contain control characters (CR, LF, …)'
      : null
  },
  enableRetryAfterHeader: bool,
  handler: handlerCheck,
  databaseUrl: (v) =>
    typeof v === 'string' && /^(sqlite|file|postgres|postgresql|mysql|mariadb):/i.test(v)
      ? null
      : `expects a sqlite:, postgres: or mysql: URL, got ${show(v)}`,
  disableAccessLog: bool,
  enableAccessFailureLog: bool,
  accessFailureLogPerUserLimit: (v) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
      ? null
      : `expects a whole number of rows (0 or more), got ${show(v)}`,
  verbose: bool,
  enableAdmin: bool,
  ipwareProxyOrder: proxyOrder,
  ipwareProxyCount: proxyCount,
  ipwareProxyTrustedIps: trustedProxiesCheck,
  ipwareMetaPrecedenceOrder: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0)
      ? null
      : `expects a non-empty list such as ['REMOTE_ADDR'] or ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'], got ${show(v)}`,
  proxyOrder,
  proxyCount,
  proxyTrustedIps: trustedProxiesCheck,
  metaPrecedenceOrder: (v) => strList(v),
  onlyUserFailures: bool,
  lockOutByUserOrIp: bool,
  lockOutByCombinationUserAndIp: bool,
  useUserAgent: bool,
  disableSuccessAccessLog: bool,
  ipv6Prefix: (v) =>
    v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 128)
      ? null
      : `expects a prefix length from 1 to 128, or null, got ${show(v)}`,
  usernameNormalization: (v) =>
    v === false || v === 'nfkc' || v === 'casefold' || v === 'nfkc-casefold' || isFn(v)
      ? null
      : `expects false, 'nfkc', 'casefold', 'nfkc-casefold' or a function, got ${show(v)}`,
  onStoreError: (v) =>
    v === 'failClosed' || v === 'failOpen'
      ? null
      : `expects 'failClosed' or 'failOpen', got ${show(v)}`,
  reservationTimeout: durationCheck(false, false),
  silencedChecks: strList,
  logger: loggerCheck,
  clock: (v) => (isFn(v) ? null : `expects a function returning milliseconds, got ${show(v)}`),
}

/** Every option name `createAxes` accepts. */
export const OPTION_NAMES: readonly string[] = Object.keys(CHECKS)

/** The closest known option name, for "did you mean" hints. */
function suggest(key: string): string | null {
  let best: string | null = null
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of OPTION_NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = name
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : null
}

function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      )
    }
    previous = current
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY
}

/**
 * django-axes' `conf.py` mapping of the deprecated flags onto lockout parameters, used only when
 * `lockoutParameters` is not given.
 */
export function lockoutParametersFromDeprecatedFlags(flags: {
  onlyUserFailures?: boolean | undefined
  lockOutByUserOrIp?: boolean | undefined
  lockOutByCombinationUserAndIp?: boolean | undefined
  useUserAgent?: boolean | undefined
}): LockoutParameterItem[] {
  let params: LockoutParameterItem[]
  if (flags.onlyUserFailures) params = ['username']
  else if (flags.lockOutByUserOrIp) params = ['username', 'ip_address']
  else if (flags.lockOutByCombinationUserAndIp) params = [['username', 'ip_address']]
  else params = ['ip_address']
  if (flags.useUserAgent) {
    const first = params[0] as LockoutParameterItem
    params[0] = typeof first === 'string' ? [first, 'user_agent'] : [...first, 'user_agent']
  }
  return params
}

/** A logger method that logs nothing (the default logger's `debug` and `info`). */
export const quiet = (): void => {}

/**
 * The default logger: warnings and errors to the console, `info` and `debug` dropped (as Python's
 * logging shows WARNING and above by default). Pass `console` to see every failure and login.
 */
export const defaultLogger: AxesLogger = {
  debug: quiet,
  info: quiet,
  warn: (message, ...details) => console.warn(message, ...details),
  error: (message, ...details) => console.error(message, ...details),
}

/**
 * Validates options and fills in defaults. Throws one `AxesConfigError` naming every bad key.
 */
export function resolveOptions(options: AxesOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AxesConfigError([
      { key: '(options)', message: `expects an object, got ${show(options)}` },
    ])
  }
  const issues: OptionIssue[] = []
  const given = options as Record<string, unknown>
  for (const key of Object.keys(given)) {
    const value = given[key]
    if (value === undefined) continue
    // Own keys only: a key such as `__proto__` (JSON.parse makes it an own property) is not an
    // option, whatever Object.prototype holds.
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key as keyof AxesOptions] : undefined
    if (!check) {
      const hint = suggest(key)
      issues.push({
        key,
        message: `is not a node-axes option${hint ? ` (did you mean '${hint}'?)` : ''}`,
      })
      continue
    }
    const problem = check(value)
    if (problem) issues.push({ key, message: problem })
  }
  if (issues.length > 0) throw new AxesConfigError(issues)

  const o = options
  const enabled = o.enabled ?? true
  const deprecatedGiven: string[] = DEPRECATED_OPTIONS.filter((name) => o[name] !== undefined)
  if (typeof o.logger === 'string') deprecatedGiven.push('logger')

  const lockoutParameters =
    o.lockoutParameters ??
    lockoutParametersFromDeprecatedFlags({
      onlyUserFailures: o.onlyUserFailures,
      lockOutByUserOrIp: o.lockOutByUserOrIp,
      lockOutByCombinationUserAndIp: o.lockOutByCombinationUserAndIp,
      useUserAgent: o.useUserAgent,
    })

  const cooloff = o.cooloffTime ?? null
  let cooloffTime: number | CooloffFunction | null = null
  if (typeof cooloff === 'function') cooloffTime = cooloff
  else if (cooloff !== null) {
    const parsed = parseDuration(cooloff)
    cooloffTime = parsed.ok ? parsed.ms : null
  }

  const lockoutTiers = (o.lockoutTiers ?? [])
    .map((tier) => {
      const parsed = parseDuration(tier.cooloff)
      return { failures: tier.failures, cooloffMs: parsed.ok ? parsed.ms : 0 }
    })
    .sort((a, b) => a.failures - b.failures)

  const reservation = parseDuration(o.reservationTimeout ?? '30s')
  const logger = o.logger === undefined || typeof o.logger === 'string' ? defaultLogger : o.logger

  return {
    enabled,
    failureLimit: o.failureLimit ?? 3,
    lockOutAtFailure: o.lockOutAtFailure ?? true,
    lockoutParameters,
    cooloffTime,
    useAttemptExpiration: o.useAttemptExpiration ?? false,
    lockoutTiers,
    resetOnSuccess: o.resetOnSuccess ?? false,
    resetCoolOffOnFailureDuringLockout: o.resetCoolOffOnFailureDuringLockout ?? true,
    onlyAdminSite: o.onlyAdminSite ?? false,
    adminPath: o.adminPath ?? '/admin/',
    neverLockoutGet: o.neverLockoutGet ?? false,
    neverLockoutWhitelist: o.neverLockoutWhitelist ?? false,
    onlyWhitelist: o.onlyWhitelist ?? false,
    ipWhitelist: o.ipWhitelist ?? null,
    ipBlacklist: o.ipBlacklist ?? null,
    whitelistCallable: o.whitelistCallable ?? null,
    usernameFormField: o.usernameFormField ?? 'username',
    passwordFormField: o.passwordFormField ?? 'password',
    usernameCallable: o.usernameCallable ?? null,
    clientIpCallable: o.clientIpCallable ?? null,
    clientStrCallable: o.clientStrCallable ?? null,
    sensitiveParameters: o.sensitiveParameters ?? ['username', 'ip_address'],
    httpResponseCode: o.httpResponseCode ?? 429,
    lockoutTemplate: o.lockoutTemplate ?? null,
    lockoutUrl: o.lockoutUrl ?? null,
    lockoutCallable: o.lockoutCallable ?? null,
    cooloffMessage: o.cooloffMessage ?? DEFAULT_COOLOFF_MESSAGE,
    permalockMessage: o.permalockMessage ?? DEFAULT_PERMALOCK_MESSAGE,
    allowedCorsOrigins: o.allowedCorsOrigins ?? '*',
    enableRetryAfterHeader: o.enableRetryAfterHeader ?? false,
    handler: o.handler ?? 'database',
    databaseUrl: o.databaseUrl ?? 'sqlite:axes.sqlite3',
    disableAccessLog: o.disableAccessLog ?? false,
    enableAccessFailureLog: o.enableAccessFailureLog ?? false,
    accessFailureLogPerUserLimit: o.accessFailureLogPerUserLimit ?? 1000,
    verbose: o.verbose ?? enabled,
    enableAdmin: o.enableAdmin ?? true,
    // django-axes reads the AXES_IPWARE_* name first and falls back to the deprecated one only
    // when the new name is absent (`getattr(settings, new, getattr(settings, old, default))`): an
    // explicit null on the new name wins.
    ipwareProxyOrder: o.ipwareProxyOrder ?? o.proxyOrder ?? 'left-most',
    ipwareProxyCount:
      o.ipwareProxyCount !== undefined ? o.ipwareProxyCount : (o.proxyCount ?? null),
    ipwareProxyTrustedIps:
      o.ipwareProxyTrustedIps !== undefined ? o.ipwareProxyTrustedIps : (o.proxyTrustedIps ?? null),
    ipwareMetaPrecedenceOrder: o.ipwareMetaPrecedenceOrder ??
      (o.metaPrecedenceOrder && o.metaPrecedenceOrder.length > 0
        ? o.metaPrecedenceOrder
        : null) ?? ['REMOTE_ADDR'],
    ipv6Prefix: o.ipv6Prefix ?? null,
    usernameNormalization: o.usernameNormalization ?? false,
    onStoreError: o.onStoreError ?? 'failClosed',
    reservationTimeoutMs: reservation.ok ? reservation.ms : 30_000,
    silencedChecks: o.silencedChecks ?? [],
    logger,
    clock: o.clock ?? Date.now,
    deprecatedGiven,
  }
}
