/**
 * Policy: django-axes' allow and deny rules that come before any counting (`is_allowed` in
 * `axes/handlers/base.py`), with CIDR ranges in both IP lists.
 */

import { AxesCallableError } from '../ground/errors.js'
import { createIpMatcher } from '../ground/ip.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import type { ResolvedOptions } from './options.js'

/** The allow/deny rules of one instance. */
export class Policy {
  readonly #options: ResolvedOptions
  readonly #whitelist: ReturnType<typeof createIpMatcher> | null
  readonly #blacklist: ReturnType<typeof createIpMatcher> | null

  constructor(options: ResolvedOptions) {
    this.#options = options
    this.#whitelist = options.ipWhitelist ? createIpMatcher(options.ipWhitelist) : null
    this.#blacklist = options.ipBlacklist ? createIpMatcher(options.ipBlacklist) : null
  }

  /** Whether the request is for the admin site (its path starts with `adminPath`). */
  isAdminRequest(request: AxesRequest): boolean {
    return typeof request.path === 'string' && request.path.startsWith(this.#options.adminPath)
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
