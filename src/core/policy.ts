/**
 * Policy: django-axes' allow and deny rules that come before any counting (`is_allowed` in
 * `axes/handlers/base.py`), with CIDR ranges in both IP lists.
 */

import { AxesCallableError } from '../ground/errors.js'
import { createIpMatcher } from '../ground/ip.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import type { ResolvedOptions } from './options.js'

/** Percent-encoded runs, decoded as far as they are valid UTF-8. */
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g

/**
 * A path as the loosest router would route it, for the admin-site test: percent-encoding decoded
 * (`%2F` too), repeated slashes collapsed, lower case, ending with one slash. Wider than any one
 * framework's matching (Express ignores case and a trailing slash, Fastify and Hono decode
 * percent-encoding, Fastify can ignore repeated slashes), so that no spelling a framework routes to
 * the admin escapes `onlyAdminSite`. (Dot segments reach no router unresolved: Node's HTTP server
 * and the frameworks route `/x/../admin` literally, and a proxy that resolves them hands over the
 * resolved path.)
 */
export function comparablePath(path: string): string {
  const decoded = path.replace(PERCENT_RUN, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
  return `/${decoded}/`.replace(/\/+/g, '/').toLowerCase()
}

/** The allow/deny rules of one instance. */
export class Policy {
  readonly #options: ResolvedOptions
  readonly #adminPath: string
  readonly #whitelist: ReturnType<typeof createIpMatcher> | null
  readonly #blacklist: ReturnType<typeof createIpMatcher> | null

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.#adminPath = comparablePath(options.adminPath)
    this.#whitelist = options.ipWhitelist ? createIpMatcher(options.ipWhitelist) : null
    this.#blacklist = options.ipBlacklist ? createIpMatcher(options.ipBlacklist) : null
  }

  /**
   * Whether the request is for the admin site: its path, read as the loosest router reads it
   * (`comparablePath`: any case, any slashes, percent-encoding decoded), is under `adminPath`. A
   * request without a path counts as one for the admin site (it is counted, never exempt).
   */
  isAdminRequest(request: AxesRequest): boolean {
    if (typeof request.path !== 'string') return true
    return comparablePath(request.path).startsWith(this.#adminPath)
  }

  /** Whether `onlyAdminSite` exempts this request. */
  isExemptAsNonAdmin(request: AxesRequest): boolean {
    return this.#options.onlyAdminSite && !this.isAdminRequest(request)
  }

  /** Whether the IP is in `ipWhitelist` (exact or by range). */
  inWhitelist(ip: string | null): boolean {
    return this.#whitelist?.matches(ip) ?? false
  }

  /**
   * django-axes' `is_blacklisted`: the IP is in `ipBlacklist`, or `onlyWhitelist` is on and the IP
   * is not in `ipWhitelist`.
   */
  isBlacklisted(ip: string | null): boolean {
    if (this.#blacklist?.matches(ip)) return true
    return this.#options.onlyWhitelist && !this.inWhitelist(ip)
  }

  /**
   * django-axes' `is_whitelisted`: `whitelistCallable` says so, or the IP is in `ipWhitelist` with
   * `neverLockoutWhitelist` or `onlyWhitelist` on, or the request is a GET with `neverLockoutGet`.
   */
  isWhitelisted(
    request: AxesRequest,
    credentials: Credentials | null,
    ip: string | null,
  ): boolean | Promise<boolean> {
    const o = this.#options
    const byList = (o.neverLockoutWhitelist || o.onlyWhitelist) && this.inWhitelist(ip)
    const byMethod = o.neverLockoutGet && request.method?.toUpperCase() === 'GET'
    const callable = o.whitelistCallable
    if (!callable) return byList || byMethod
    // Synchronous unless the application's function is asynchronous.
    let verdict: unknown
    try {
      verdict = callable(request, credentials)
    } catch (error) {
      throw new AxesCallableError('whitelistCallable', error)
    }
    if (verdict instanceof Promise) {
      return verdict.then(
        (value: unknown) => value === true || byList || byMethod,
        (error: unknown) => {
          throw new AxesCallableError('whitelistCallable', error)
        },
      )
    }
    return verdict === true || byList || byMethod
  }
}
