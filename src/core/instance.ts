/**
 * An instance's operator side, over the per-request engine: event subscriptions, checks, the
 * resets (django-axes' `reset`, `reset_request`, log resets), listings and the admin pages'
 * queries, and closing. The composition root's `Axes` is this class with its handler chosen.
 */

import type { AxesHandler, ResetFilter } from '../ground/contract.js'
import type {
  AttemptDetail,
  AttemptQuery,
  AttemptStats,
  AttemptStatsQuery,
  LogSortKey,
  PageQuery,
  QueryPage,
} from '../ground/contract-browsing.js'
import type { AccessFailureLogEntry, AccessLogEntry } from '../ground/contract-logs.js'
import { AxesError, describeError } from '../ground/errors.js'
import { parseIp } from '../ground/ip.js'
import type { AxesRequest } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import type { AxesCheck, CheckId } from './checks.js'
import { defencesOf } from './defence.js'
import { AxesEngine } from './engine.js'
import type { AxesEvents, AxesListener } from './events.js'

/** Which attempts `reset` removes. */
export interface ResetRequestFilter {
  ip?: string | null
  username?: string | null
  ipOrUsername?: boolean
}

/** A node-axes instance: the engine, and what operators and the admin pages do with it. */
export class AxesInstance extends AxesEngine {
  // ----- events -----

  /** Adds an event listener; returns a function that removes it. */
  on<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    return this.events.on(event, listener)
  }

  /** Adds a listener called once. */
  once<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    return this.events.once(event, listener)
  }

  /** Removes an event listener. */
  off<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): void {
    this.events.off(event, listener)
  }

  // ----- checks -----

  /**
   * The checks that apply: the static ones found at start-up and the runtime ones seen so far,
   * without the silenced codes.
   */
  check(): AxesCheck[] {
    return this.diagnostics.checks()
  }

  /**
   * Reports a runtime check once (adapters use this for checks only they can see, such as a proxy
   * setting that disagrees with node-axes').
   */
  reportCheck(id: CheckId, values: Record<string, string> = {}): void {
    this.diagnostics.report(id, values)
  }

  // ----- resets and listings -----

  /**
   * Deletes attempts (django-axes' `reset`): by IP, by username, both (AND), either
   * (`ipOrUsername`), or all of them with no argument. Returns how many were removed.
   */
  async reset(filter: ResetRequestFilter = {}): Promise<number> {
    const covered = this.resetFilterOf(filter)
    const removed = await this.handler.resetAttempts(covered)
    // What defences keep in the process (spray detection's sources beside the memory handler).
    for (const defence of defencesOf(this.options)) await defence.reset?.(this.handler, covered)
    return removed
  }

  /**
   * The handler's filter for `reset(filter)`: the IP in canonical form, grouped by `ipv6Prefix`,
   * and the username normalized, as counting keeps them. Throws `AXES_INVALID_RESET` for an empty
   * value.
   */
  resetFilterOf(filter: ResetRequestFilter): ResetFilter {
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
      ? this.identity.countedIp(parseIp(filter.ip)?.text ?? filter.ip)
      : null
    const username = filter.username ? this.identity.normalizeUsernameValue(filter.username) : null
    return {
      ...(ipAddress !== null ? { ipAddress } : {}),
      ...(username !== null ? { username } : {}),
      ipOrUsername: filter.ipOrUsername ?? false,
    }
  }

  /**
   * Resets what blocks this request's client (django-axes' `reset_request`): its IP and the
   * `username` query parameter, combined as the lockout parameters combine them.
   */
  async resetRequest(request: AxesRequest): Promise<number> {
    const ip = this.identity.countedIp(this.rawIpOf(request))
    const rawUsername =
      request.query instanceof URLSearchParams
        ? request.query.get('username')
        : (request.query as Record<string, unknown> | null | undefined)?.username
    const username =
      typeof rawUsername === 'string' && rawUsername !== ''
        ? this.identity.normalizeUsernameValue(rawUsername)
        : null
    let requiresIp = false
    let requiresUsername = false
    let combined = false
    for (const item of this.rules.parameters(request, null)) {
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
    return this.handler.resetAttempts({
      ...(useIp ? { ipAddress: ip } : {}),
      ...(useUsername ? { username } : {}),
      ipOrUsername: useIp && useUsername && !combined,
    })
  }

  /** Deletes access logs older than `age` days (all without `age`). Returns how many. */
  async resetLogs(options: { age?: number | null } = {}): Promise<number> {
    // A handler without access logs has none to delete.
    return this.handler.resetLogs?.({ ageDays: options.age ?? null }) ?? 0
  }

  /** Deletes access failure logs older than `age` days (all without `age`). Returns how many. */
  async resetFailureLogs(options: { age?: number | null } = {}): Promise<number> {
    return this.handler.resetFailureLogs?.({ ageDays: options.age ?? null }) ?? 0
  }

  /** Lists stored attempts, most recent first, when the handler can list. */
  async listAttempts(
    options: { limit?: number } = {},
  ): Promise<Awaited<ReturnType<NonNullable<AxesHandler['listAttempts']>>>> {
    if (!this.handler.listAttempts) {
      throw new AxesError(
        'AXES_NOT_SUPPORTED',
        `the ${this.handler.name} handler cannot list attempts`,
      )
    }
    return this.handler.listAttempts({
      ...options,
      now: this.options.clock(),
      rule: this.rules.listingRule(),
    })
  }

  /**
   * The rule in force when neither the failure limit nor the cool-off depends on the request;
   * null otherwise (listings then cannot say which stored attempts are locked out).
   */
  listingRule(): LockoutRule | null {
    return this.rules.listingRule()
  }

  /**
   * One page of stored attempts, filtered, searched and sorted (the admin's Access attempts page).
   * Throws `AXES_NOT_SUPPORTED` when the handler has no `queryAttempts`.
   */
  async queryAttempts(
    query: Omit<AttemptQuery, 'now' | 'rule'>,
  ): Promise<QueryPage<AttemptDetail>> {
    const fn = this.#optional('queryAttempts', 'query attempts')
    return fn({ ...query, now: this.options.clock(), rule: this.rules.listingRule() })
  }

  /** One stored attempt by id, or null. Throws `AXES_NOT_SUPPORTED` without `getAttempt`. */
  async getAttempt(id: string): Promise<AttemptDetail | null> {
    const fn = this.#optional('getAttempt', 'show one attempt')
    return fn(id, { now: this.options.clock(), rule: this.rules.listingRule() })
  }

  /**
   * Deletes the stored attempts with these ids (the admin's "delete selected", a reset of exactly
   * those). Returns how many went. Throws `AXES_NOT_SUPPORTED` without `deleteAttempts`.
   */
  async deleteAttempts(ids: readonly string[]): Promise<number> {
    return this.#optional('deleteAttempts', 'delete attempts by id')(ids)
  }

  /**
   * Deletes the stored attempts that no longer count (django-axes' `clean_expired_user_attempts`).
   * Returns how many went. Throws `AXES_NOT_SUPPORTED` without `cleanExpiredAttempts`.
   */
  async cleanExpiredAttempts(): Promise<number> {
    const fn = this.#optional('cleanExpiredAttempts', 'clean up expired attempts')
    return fn({ now: this.options.clock(), rule: this.rules.listingRule() })
  }

  /** One page of access logs. Throws `AXES_NOT_SUPPORTED` without `queryAccessLogs`. */
  async queryAccessLogs(
    query: Omit<PageQuery<LogSortKey>, 'now'>,
  ): Promise<QueryPage<AccessLogEntry>> {
    const fn = this.#optional('queryAccessLogs', 'list access logs')
    return fn({ ...query, now: this.options.clock() })
  }

  /** One page of access failure logs. Throws `AXES_NOT_SUPPORTED` without `queryFailureLogs`. */
  async queryFailureLogs(
    query: Omit<PageQuery<LogSortKey>, 'now'> & { lockedOut?: boolean | null },
  ): Promise<QueryPage<AccessFailureLogEntry>> {
    const fn = this.#optional('queryFailureLogs', 'list access failure logs')
    return fn({ ...query, now: this.options.clock() })
  }

  /**
   * The overview's figures: failures over time (from the access failure log when
   * `enableAccessFailureLog` is on), top IPs and usernames, lockouts. Throws `AXES_NOT_SUPPORTED`
   * without `attemptStats`.
   */
  async attemptStats(
    query: Omit<AttemptStatsQuery, 'now' | 'rule' | 'fromFailureLog'>,
  ): Promise<AttemptStats> {
    const fn = this.#optional('attemptStats', 'compute attempt figures')
    return fn({
      ...query,
      now: this.options.clock(),
      rule: this.rules.listingRule(),
      fromFailureLog: this.options.enableAccessFailureLog,
    })
  }

  /** An optional handler method bound to the handler, or an `AXES_NOT_SUPPORTED` error. */
  #optional<K extends keyof AxesHandler>(name: K, what: string): NonNullable<AxesHandler[K]> {
    const handler = this.handler
    const fn = handler[name]
    if (typeof fn !== 'function') {
      throw new AxesError('AXES_NOT_SUPPORTED', `the ${handler.name} handler cannot ${what}`)
    }
    return (fn as (...args: unknown[]) => unknown).bind(handler) as NonNullable<AxesHandler[K]>
  }

  /**
   * Resolves once the handler can work: its driver loads, its file opens for writing, its server
   * answers (the default SQLite handler connects and migrates here rather than on the first
   * login). Otherwise rejects with an `AxesError` (`AXES_HANDLER_NOT_READY`) that says what is
   * missing and how to fix it. Await it at start-up, before listening; the adapters that have an
   * asynchronous start (Fastify's plugin) await it themselves.
   */
  async ready(): Promise<void> {
    try {
      await this.handler.ready?.()
    } catch (error) {
      if (error instanceof AxesError && error.code === 'AXES_HANDLER_NOT_READY') throw error
      throw new AxesError(
        'AXES_HANDLER_NOT_READY',
        `the ${this.handler.name} handler cannot start: ${describeError(error)}`,
        { cause: error },
      )
    }
  }

  /** Closes the handler (connections, files). */
  async close(): Promise<void> {
    await this.handler.close?.()
  }
}
