/**
 * An instance's operator side, over the per-request engine: event subscriptions, checks, the
 * resets (django-axes' `reset`, `reset_request`, log resets), listings and the admin pages'
 * queries, and closing. The composition root's `Axes` is this class with its handler chosen.
 */

import type { AxesHandler } from '../ground/contract.js'
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
import type { AxesRequest } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import type { AxesCheck, CheckId } from './checks.js'
import { AxesEngine, type HandlerResolver } from './engine.js'
import type { AxesEvents, AxesListener } from './events.js'
import { Operations, type ResetRequestFilter } from './operations.js'
import type { AxesOptions } from './options.js'

/** A node-axes instance: the engine, and what operators and the admin pages do with it. */
export class AxesInstance extends AxesEngine {
  readonly #operations: Operations

  /** Validates `options` (throwing one `AxesConfigError` for every bad key) and attaches the handler. */
  constructor(options: AxesOptions, resolveHandler: HandlerResolver) {
    super(options, resolveHandler)
    this.#operations = new Operations(this.options, this.handler, this.identity, this.rules)
  }

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
    return this.#operations.reset(filter)
  }

  /**
   * Resets what blocks this request's client (django-axes' `reset_request`): its IP and the
   * `username` query parameter, combined as the lockout parameters combine them.
   */
  async resetRequest(request: AxesRequest): Promise<number> {
    return this.#operations.resetRequest(request, this.rawIpOf(request))
  }

  /** Deletes access logs older than `age` days (all without `age`). Returns how many. */
  resetLogs(options: { age?: number | null } = {}): Promise<number> {
    return this.#operations.resetLogs(options.age)
  }

  /** Deletes access failure logs older than `age` days (all without `age`). Returns how many. */
  resetFailureLogs(options: { age?: number | null } = {}): Promise<number> {
    return this.#operations.resetFailureLogs(options.age)
  }

  /** Lists stored attempts, most recent first, when the handler can list. */
  async listAttempts(
    options: { limit?: number } = {},
  ): Promise<Awaited<ReturnType<NonNullable<AxesHandler['listAttempts']>>>> {
    return this.#operations.listAttempts(options)
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
  queryAttempts(query: Omit<AttemptQuery, 'now' | 'rule'>): Promise<QueryPage<AttemptDetail>> {
    return this.#operations.queryAttempts(query)
  }

  /** One stored attempt by id, or null. Throws `AXES_NOT_SUPPORTED` without `getAttempt`. */
  getAttempt(id: string): Promise<AttemptDetail | null> {
    return this.#operations.getAttempt(id)
  }

  /**
   * Deletes the stored attempts with these ids (the admin's "delete selected", a reset of exactly
   * those). Returns how many went. Throws `AXES_NOT_SUPPORTED` without `deleteAttempts`.
   */
  deleteAttempts(ids: readonly string[]): Promise<number> {
    return this.#operations.deleteAttempts(ids)
  }

  /**
   * Deletes the stored attempts that no longer count (django-axes' `clean_expired_user_attempts`).
   * Returns how many went. Throws `AXES_NOT_SUPPORTED` without `cleanExpiredAttempts`.
   */
  cleanExpiredAttempts(): Promise<number> {
    return this.#operations.cleanExpiredAttempts()
  }

  /** One page of access logs. Throws `AXES_NOT_SUPPORTED` without `queryAccessLogs`. */
  queryAccessLogs(query: Omit<PageQuery<LogSortKey>, 'now'>): Promise<QueryPage<AccessLogEntry>> {
    return this.#operations.queryAccessLogs(query)
  }

  /** One page of access failure logs. Throws `AXES_NOT_SUPPORTED` without `queryFailureLogs`. */
  queryFailureLogs(
    query: Omit<PageQuery<LogSortKey>, 'now'> & { lockedOut?: boolean | null },
  ): Promise<QueryPage<AccessFailureLogEntry>> {
    return this.#operations.queryFailureLogs(query)
  }

  /**
   * The overview's figures: failures over time (from the access failure log when
   * `enableAccessFailureLog` is on), top IPs and usernames, lockouts. Throws `AXES_NOT_SUPPORTED`
   * without `attemptStats`.
   */
  attemptStats(
    query: Omit<AttemptStatsQuery, 'now' | 'rule' | 'fromFailureLog'>,
  ): Promise<AttemptStats> {
    return this.#operations.attemptStats(query)
  }

  /** Closes the handler (connections, files). */
  async close(): Promise<void> {
    await this.handler.close?.()
  }
}
