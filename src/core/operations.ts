/**
 * Operations: what operators and the admin pages do with stored attempts, apart from logins:
 * resets (django-axes' `reset`, `reset_request`, the log resets) and the listings and queries of
 * the admin pages, each completed with the instance's clock and rule before it reaches the handler.
 */

import type { AxesHandler } from '../ground/contract.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptSnapshot,
  AttemptStats,
  AttemptStatsQuery,
  LogSortKey,
  PageQuery,
  QueryPage,
} from '../ground/contract-browsing.js'
import type { AccessFailureLogEntry, AccessLogEntry } from '../ground/contract-logs.js'
import { AxesError } from '../ground/errors.js'
import { parseIp } from '../ground/ip.js'
import type { AxesRequest } from '../ground/request.js'
import type { IdentityResolver } from './identity.js'
import type { ResolvedOptions } from './options.js'
import type { RuleBook } from './rules.js'

/** Which attempts `reset` removes. */
export interface ResetRequestFilter {
  ip?: string | null
  username?: string | null
  ipOrUsername?: boolean
}

/** An instance's resets, listings and admin queries over its handler. */
export class Operations {
  readonly #options: Readonly<ResolvedOptions>
  readonly #handler: AxesHandler
  readonly #identity: IdentityResolver
  readonly #rules: RuleBook

  constructor(
    options: Readonly<ResolvedOptions>,
    handler: AxesHandler,
    identity: IdentityResolver,
    rules: RuleBook,
  ) {
    this.#options = options
    this.#handler = handler
    this.#identity = identity
    this.#rules = rules
  }

  /** django-axes' `reset`: by IP, by username, both (AND), either, or everything. */
  async reset(filter: ResetRequestFilter): Promise<number> {
    for (const key of ['ip', 'username'] as const) {
      const value = filter[key]
      if (value !== undefined && value !== null && (typeof value !== 'string' || value === '')) {
        // An empty value must not widen a targeted reset into "delete everything".
        throw new AxesError(
          'AXES_INVALID_RESET',
          `reset: ${key} must be a non-empty string (call reset() with no filter to remove every attempt)`,
        )
      }
    }
    const ipAddress = filter.ip
      ? this.#identity.countedIp(parseIp(filter.ip)?.text ?? filter.ip)
      : null
    const username = filter.username ? this.#identity.normalizeUsernameValue(filter.username) : null
    return this.#handler.resetAttempts({
      ...(ipAddress !== null ? { ipAddress } : {}),
      ...(username !== null ? { username } : {}),
      ipOrUsername: filter.ipOrUsername ?? false,
    })
  }

  /**
   * django-axes' `reset_request`: the request's IP (`rawIp`, as the engine resolved it) and its
   * `username` query parameter, combined as the lockout parameters combine them.
   */
  async resetRequest(request: AxesRequest, rawIp: string | null): Promise<number> {
    const ip = this.#identity.countedIp(rawIp)
    const rawUsername =
      request.query instanceof URLSearchParams
        ? request.query.get('username')
        : (request.query as Record<string, unknown> | null | undefined)?.username
    const username =
      typeof rawUsername === 'string' && rawUsername !== ''
        ? this.#identity.normalizeUsernameValue(rawUsername)
        : null
    let requiresIp = false
    let requiresUsername = false
    let combined = false
    for (const item of this.#rules.parameters(request, null)) {
      const names: readonly string[] = typeof item === 'string' ? [item] : item
      const hasIp = names.includes('ip_address')
      const hasUsername = names.includes('username')
      if (hasIp) requiresIp = true
      if (hasUsername) requiresUsername = true
      if (hasIp && hasUsername) combined = true
    }
    const useIp = requiresIp && ip !== null
    const useUsername = requiresUsername && username !== null
    if (!useIp && !useUsername) return 0
    return this.#handler.resetAttempts({
      ...(useIp ? { ipAddress: ip } : {}),
      ...(useUsername ? { username } : {}),
      ipOrUsername: useIp && useUsername && !combined,
    })
  }

  /** Deletes access logs older than `age` days (all without `age`). */
  resetLogs(age: number | null | undefined): Promise<number> {
    // A handler without access logs has none to delete.
    return this.#handler.resetLogs?.({ ageDays: age ?? null }) ?? Promise.resolve(0)
  }

  /** Deletes access failure logs older than `age` days (all without `age`). */
  resetFailureLogs(age: number | null | undefined): Promise<number> {
    return this.#handler.resetFailureLogs?.({ ageDays: age ?? null }) ?? Promise.resolve(0)
  }

  /** Stored attempts, most recent first. */
  async listAttempts(options: { limit?: number }): Promise<AttemptSnapshot[]> {
    if (!this.#handler.listAttempts) {
      throw new AxesError(
        'AXES_NOT_SUPPORTED',
        `the ${this.#handler.name} handler cannot list attempts`,
      )
    }
    return this.#handler.listAttempts({
      ...options,
      now: this.#options.clock(),
      rule: this.#rules.listingRule(),
    })
  }

  /** One page of stored attempts. */
  async queryAttempts(
    query: Omit<AttemptQuery, 'now' | 'rule'>,
  ): Promise<QueryPage<AttemptDetail>> {
    const fn = this.#optional('queryAttempts', 'query attempts')
    return fn({ ...query, now: this.#options.clock(), rule: this.#rules.listingRule() })
  }

  /** One stored attempt by id, or null. */
  async getAttempt(id: string): Promise<AttemptDetail | null> {
    const fn = this.#optional('getAttempt', 'show one attempt')
    return fn(id, { now: this.#options.clock(), rule: this.#rules.listingRule() })
  }

  /** Deletes the stored attempts with these ids. */
  async deleteAttempts(ids: readonly string[]): Promise<number> {
    return this.#optional('deleteAttempts', 'delete attempts by id')(ids)
  }

  /** Deletes the stored attempts that no longer count. */
  async cleanExpiredAttempts(): Promise<number> {
    const fn = this.#optional('cleanExpiredAttempts', 'clean up expired attempts')
    return fn({ now: this.#options.clock(), rule: this.#rules.listingRule() })
  }

  /** One page of access logs. */
  async queryAccessLogs(
    query: Omit<PageQuery<LogSortKey>, 'now'>,
  ): Promise<QueryPage<AccessLogEntry>> {
    const fn = this.#optional('queryAccessLogs', 'list access logs')
    return fn({ ...query, now: this.#options.clock() })
  }

  /** One page of access failure logs. */
  async queryFailureLogs(
    query: Omit<PageQuery<LogSortKey>, 'now'> & { lockedOut?: boolean | null },
  ): Promise<QueryPage<AccessFailureLogEntry>> {
    const fn = this.#optional('queryFailureLogs', 'list access failure logs')
    return fn({ ...query, now: this.#options.clock() })
  }

  /** The overview's figures. */
  async attemptStats(
    query: Omit<AttemptStatsQuery, 'now' | 'rule' | 'fromFailureLog'>,
  ): Promise<AttemptStats> {
    const fn = this.#optional('attemptStats', 'compute attempt figures')
    return fn({
      ...query,
      now: this.#options.clock(),
      rule: this.#rules.listingRule(),
      fromFailureLog: this.#options.enableAccessFailureLog,
    })
  }

  /** An optional handler method bound to the handler, or an `AXES_NOT_SUPPORTED` error. */
  #optional<K extends keyof AxesHandler>(name: K, what: string): NonNullable<AxesHandler[K]> {
    const handler = this.#handler
    const fn = handler[name]
    if (typeof fn !== 'function') {
      throw new AxesError('AXES_NOT_SUPPORTED', `the ${handler.name} handler cannot ${what}`)
    }
    return (fn as (...args: unknown[]) => unknown).bind(handler) as NonNullable<AxesHandler[K]>
  }
}
