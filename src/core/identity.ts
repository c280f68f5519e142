/**
 * Client identity: who is attempting to log in (IP, username, user agent), read from the request
 * the way django-axes reads it, made safe to count and to store.
 */

import { createHash } from 'node:crypto'
import { AxesCallableError } from '../ground/errors.js'
import { maskIp, parseIp } from '../ground/ip.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import { cutCodePoints, escapeControl, sanitizeText } from '../ground/text.js'
import { createIpResolver } from './ip-resolver.js'
import type { ResolvedOptions, UsernameNormalization } from './options.js'

/** django-axes' column lengths (`max_length` of the AccessAttempt fields). */
export const MAX_LENGTHS = {
  username: 255,
  userAgent: 255,
  pathInfo: 255,
  httpAccept: 1025,
  /** `get_data` / `post_data` as django-axes caps them when first stored. */
  requestData: 1024,
} as const

/** The placeholder django-axes stores for a missing header or path. */
export const UNKNOWN = '<unknown>'

/** The mask django-axes writes over sensitive values. */
export const MASK = '********************'

/** The first value of a header, or undefined. */
export function headerValue(request: AxesRequest, name: string): string | undefined {
  const headers: unknown = request.headers
  if (typeof headers !== 'object' || headers === null) return undefined
  const value = (headers as Record<string, unknown>)[name]
  if (typeof value === 'string') return value
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0]
  return undefined
}

/** What `loginValue` answers for a field that is an array or an object. */
export const MALFORMED: unique symbol = Symbol('malformed login field')

/**
 * A login field (username or password) as node-axes counts it: a string as is, a number, boolean
 * or bigint as its text, null when absent; `MALFORMED` for an array or an object (a repeated field,
 * a nested one, a JSON object), which is refused rather than half-read, so that the identity
 * counted is always the one the password check receives.
 */
export function loginValue(value: unknown): string | null | typeof MALFORMED {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  if (value === undefined || value === null) return null
  return MALFORMED
}

/**
 * Whether a parsed body or query is a record of fields: an object, but not an array, a Buffer or
 * another binary view (a raw body has no fields, as Django's `request.POST` is then empty).
 */
function isFieldRecord(source: unknown): source is Record<string, unknown> {
  return (
    typeof source === 'object' &&
    source !== null &&
    !Array.isArray(source) &&
    !ArrayBuffer.isView(source) &&
    !(source instanceof ArrayBuffer)
  )
}

/**
 * Reads one field of a parsed body or query (a plain object or URLSearchParams): a field given
 * more than once in URLSearchParams is the array of its values.
 */
export function fieldOf(source: unknown, field: string): unknown {
  if (source instanceof URLSearchParams) {
    const all = source.getAll(field)
    return all.length > 1 ? all : all[0]
  }
  if (isFieldRecord(source)) {
    return Object.hasOwn(source, field) ? (source as Record<string, unknown>)[field] : undefined
  }
  return undefined
}

/** Applies a `usernameNormalization` setting. */
export function normalizeUsername(username: string, mode: UsernameNormalization): string {
  if (mode === false) return username
  if (typeof mode === 'function') return mode(username)
  const text = mode === 'casefold' ? username : username.normalize('NFKC')
  if (mode === 'nfkc') return text
  // Full case folding is not in JavaScript; upper then lower folds ß → ss, ﬁ → fi, ς → σ, … as
  // Unicode's CaseFolding does for almost every character, then NFKC again closes the form.
  const folded = text.toUpperCase().toLowerCase()
  return mode === 'nfkc-casefold' ? folded.normalize('NFKC') : folded
}

/** Masks sensitive keys (django-axes' `cleanse_parameters`). */
export function sensitiveKeys(options: ResolvedOptions): Set<string> {
  return new Set(['password', ...options.sensitiveParameters, options.passwordFormField])
}

/**
 * django-axes' `get_query_str`: `key=value` lines, the last value per key, sensitive values masked,
 * NUL written as `0x00`, capped at 1024 characters (django-axes caps before replacing NUL, so its
 * strings can exceed the cap; node-axes caps after).
 */
export function requestDataString(source: unknown, sensitive: ReadonlySet<string>): string {
  const pairs: [string, unknown][] = []
  if (source instanceof URLSearchParams) {
    const seen = new Map<string, string>()
    for (const [key, value] of source) seen.set(key, value)
    pairs.push(...seen)
  } else if (isFieldRecord(source)) {
    let count = 0
    for (const key in source) {
      if (!Object.hasOwn(source, key)) continue
      // Stryker disable next-line ConditionalExpression,EqualityOperator,UpdateOperator: bounds the work only; 1,000 lines pass twice the cap, where the output is cut below
      if (++count > 1000) break
      pairs.push([key, (source as Record<string, unknown>)[key]])
    }
  }
  let out = ''
  for (const [key, raw] of pairs) {
    let value: string
    if (sensitive.has(key)) value = MASK
    else {
      const form = loginValue(raw)
      value = typeof form === 'string' ? form : safeJson(raw)
    }
    out += `${out ? '\n' : ''}${key}=${value}`
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: bounds the work only; the text is cut to the cap below
    if (out.length > MAX_LENGTHS.requestData * 2) break
  }
  const cap = MAX_LENGTHS.requestData
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,MethodExpression: bounds the work only; cutCodePoints cuts to the cap
  const text = (out.length > cap * 2 ? out.slice(0, cap * 2) : out).toWellFormed()
  return cutCodePoints(text.replaceAll('\0', '0x00'), cap)
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

/** SHA-256 hex of a session id (django-axes' `session_hash`), or `''` without one. */
export function sessionHash(sessionId: string | null | undefined): string {
  if (typeof sessionId !== 'string' || sessionId.length === 0) return ''
  return createHash('sha256').update(sessionId).digest('hex')
}

/** Resolves the identity of requests for one instance's options. */
export class IdentityResolver {
  readonly #options: ResolvedOptions
  readonly #resolveIp: (request: AxesRequest) => string | null

  constructor(options: ResolvedOptions) {
    this.#options = options
    const resolver = createIpResolver({
      precedence: options.ipwareMetaPrecedenceOrder,
      proxyCount: options.ipwareProxyCount,
      trustedProxies: options.ipwareProxyTrustedIps,
      proxyOrder: options.ipwareProxyOrder,
    })
    // Stryker disable next-line ArrowFunction,StringLiteral: these only turn the cache below off
    const socketOnly = options.ipwareMetaPrecedenceOrder.every((key) => key === 'REMOTE_ADDR')
    if (!socketOnly) {
      this.#resolveIp = (request) => resolver(request)
      return
    }
    // With the default precedence the answer depends on the socket address alone: remember the
    // last few thousand (cleared when full, so memory stays bounded under a flood of addresses).
    const memo = new Map<string, string | null>()
    this.#resolveIp = (request) => {
      const address = request.socketAddress
      // A cache: the mutants of the next four lines change what is computed again, never the
      // answer (and its bound on memory is not observable from outside).
      // Stryker disable next-line all: a cache (see above)
      if (typeof address !== 'string') return resolver(request)
      const known = memo.get(address)
      // Stryker disable next-line all: a cache (see above)
      if (known !== undefined) return known
      const ip = resolver(request)
      // Stryker disable next-line all: a cache (see above)
      if (memo.size >= 4096) memo.clear()
      memo.set(address, ip)
      return ip
    }
  }

  /**
   * The client IP before grouping: `clientIpCallable` if set, else python-ipware over
   * `ipwareMetaPrecedenceOrder` (by default the socket address only). Canonical text, or null.
   */
  rawIp(request: AxesRequest): string | null {
    const callable = this.#options.clientIpCallable
    if (callable) {
      let value: unknown
      try {
        value = callable(request)
      } catch (error) {
        throw new AxesCallableError('clientIpCallable', error)
      }
      // Stryker disable next-line ConditionalExpression: parseIp answers null for anything but text, too
      if (typeof value !== 'string') return null
      return parseIp(value)?.text ?? null
    }
    const framework = request.frameworkIp
    if (framework !== undefined) return framework ? (parseIp(framework)?.text ?? null) : null
    return this.#resolveIp(request)
  }

  /** The IP as counted: IPv6 grouped to `ipv6Prefix` when set. */
  countedIp(rawIp: string | null): string | null {
    const prefix = this.#options.ipv6Prefix
    if (rawIp === null || prefix === null) return rawIp
    const parsed = parseIp(rawIp)
    // Stryker disable next-line OptionalChaining: a raw IP is always valid text
    if (parsed?.version !== 6) return rawIp
    return maskIp(parsed, prefix).text
  }

  /**
   * The username: `usernameCallable(request, credentials)` if set; else, when credentials are given
   * and not empty, `credentials[usernameFormField]`; else the body field (django-axes'
   * `get_client_username`). Sanitised, normalised, cut to 255 characters; null when absent.
   */
  username(request: AxesRequest, credentials: Credentials | null): string | null {
    const o = this.#options
    let raw: unknown
    if (o.usernameCallable) {
      try {
        raw = o.usernameCallable(request, credentials)
      } catch (error) {
        throw new AxesCallableError('usernameCallable', error)
      }
    } else {
      raw = fieldOf(this.#loginSource(request, credentials), o.usernameFormField)
    }
    const value = loginValue(raw)
    if (value === null || value === MALFORMED) return null
    return this.#normalized(value)
  }

  /**
   * A username as counted: sanitised, normalised (`usernameNormalization`), cut to 255
   * characters; null when the normalisation gives no string.
   */
  #normalized(username: string): string | null {
    let value = sanitizeText(username, MAX_LENGTHS.username * 4)
    try {
      value = normalizeUsername(value, this.#options.usernameNormalization)
    } catch (error) {
      throw new AxesCallableError('usernameNormalization', error)
    }
    return typeof value === 'string' ? sanitizeText(value, MAX_LENGTHS.username) : null
  }

  /**
   * Where the login fields are read: the credentials when given and not empty, else the body
   * (django-axes' `get_client_username`).
   */
  #loginSource(request: AxesRequest, credentials: Credentials | null): unknown {
    return credentials && Object.keys(credentials).length > 0 ? credentials : request.body
  }

  /**
   * The login field (`usernameFormField` or `passwordFormField`) that is an array or an object, or
   * null: such a login is refused (reason `malformedCredentials`) rather than half-read. With a
   * `usernameCallable` the application chooses the username itself (an array or object it returns
   * counts as no username), and only the password field is looked at here.
   */
  malformedField(request: AxesRequest, credentials: Credentials | null): string | null {
    const o = this.#options
    const source = this.#loginSource(request, credentials)
    if (!o.usernameCallable && loginValue(fieldOf(source, o.usernameFormField)) === MALFORMED) {
      return o.usernameFormField
    }
    if (loginValue(fieldOf(source, o.passwordFormField)) === MALFORMED) return o.passwordFormField
    return null
  }

  /**
   * A username given from outside a request (a reset, the CLI) in the form it is counted:
   * sanitised and normalised as request usernames are.
   */
  normalizeUsernameValue(username: string): string {
    return this.#normalized(username) ?? sanitizeText(username, MAX_LENGTHS.username)
  }

  /** The whole identity of a request. */
  identify(
    request: AxesRequest,
    credentials: Credentials | null,
    rawIp: string | null = this.rawIp(request),
  ): ClientIdentity {
    return {
      ipAddress: this.countedIp(rawIp),
      username: this.username(request, credentials),
      userAgent: sanitizeText(headerValue(request, 'user-agent') ?? UNKNOWN, MAX_LENGTHS.userAgent),
      pathInfo: sanitizeText(
        typeof request.path === 'string' ? request.path : UNKNOWN,
        MAX_LENGTHS.pathInfo,
      ),
      httpAccept: sanitizeText(headerValue(request, 'accept') ?? UNKNOWN, MAX_LENGTHS.httpAccept),
    }
  }

  /**
   * django-axes' `get_client_str`: `{username: "…", ip_address: "…", path_info: "…"}` for logs.
   * In verbose mode every field; otherwise the lockout-parameter fields. Sensitive fields masked;
   * control characters escaped so a username cannot forge log lines.
   */
  clientString(
    client: ClientIdentity,
    request: AxesRequest,
    parameters: readonly (string | readonly string[])[],
  ): string {
    const o = this.#options
    if (o.clientStrCallable) {
      try {
        return String(
          o.clientStrCallable(
            client.username,
            client.ipAddress,
            client.userAgent,
            client.pathInfo,
            request,
          ),
        )
      } catch (error) {
        throw new AxesCallableError('clientStrCallable', error)
      }
    }
    const fields = this.clientFields(client, parameters)
    const parts = Object.entries(fields).map(
      ([key, value]) => `${key}: "${escapeControl(value ?? 'None')}"`,
    )
    return `{${parts.join(', ')}}`
  }

  /**
   * The fields of django-axes' client string as an object for structured logs: in verbose mode
   * every field, otherwise the lockout-parameter fields, then `path_info`; sensitive fields masked.
   */
  clientFields(
    client: ClientIdentity,
    parameters: readonly (string | readonly string[])[],
  ): Record<string, string | null> {
    const o = this.#options
    const fields: Record<string, string | null> = {}
    const values: Record<string, string | null> = {
      username: client.username,
      ip_address: client.ipAddress,
      user_agent: client.userAgent,
    }
    if (o.verbose) {
      Object.assign(fields, values)
    } else {
      // Every lockout-parameter field, even one whose bucket is skipped for a missing username
      // (django-axes shows it as "None").
      for (const item of parameters) {
        for (const name of typeof item === 'string' ? [item] : item) {
          fields[name] = values[name] ?? null
        }
      }
    }
    const sensitive = sensitiveKeys(o)
    for (const name of Object.keys(fields)) if (sensitive.has(name)) fields[name] = MASK
    fields.path_info = client.pathInfo
    return fields
  }
}

/**
 * The username of a logged-in `user`: the string itself, or its `usernameFormField` (else
 * `username`) property when that is a string; null otherwise.
 */
export function usernameOf(user: unknown, usernameFormField: string): string | null {
  if (typeof user === 'string') return user
  if (typeof user === 'object' && user !== null) {
    const record = user as Record<string, unknown>
    const value = record[usernameFormField] ?? record.username
    if (typeof value === 'string') return value
  }
  return null
}

/** Credentials with the sensitive values masked (django-axes' `cleanse_parameters`). */
export function maskCredentials(
  credentials: Credentials,
  sensitive: ReadonlySet<string>,
): Credentials {
  const masked: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(credentials)) {
    masked[key] = sensitive.has(key) ? MASK : value
  }
  return masked
}
