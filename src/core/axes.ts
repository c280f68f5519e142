/**
 * The engine: `createAxes(options)` returns an `Axes` instance that decides, per request, whether a
 * login may proceed, and records what happened. No global state: create as many as you like.
 */

import type { Bucket } from '../ground/buckets.js'
import {
  bucketsFor,
  type LockoutParameterItem,
  lockoutParameterProblems,
} from '../ground/buckets.js'
import type {
  AccessFailureLogEntry,
  AccessLogEntry,
  AttemptDetail,
  AttemptQuery,
  AttemptStats,
  AttemptStatsQuery,
  AxesHandler,
  CountInput,
  CountResult,
  LockoutRule,
  LogSortKey,
  PageQuery,
  QueryPage,
  SettleInput,
} from '../ground/contract.js'
import { AxesCallableError, AxesError, AxesStoreError, describeError } from '../ground/errors.js'
import { parseIp } from '../ground/ip.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import { attemptsLeft, lockDurationMs } from '../ground/rule.js'
import { databaseHandler } from '../handlers/database/index.js'
import { dummyHandler } from '../handlers/dummy.js'
import { memoryHandler } from '../handlers/memory.js'
import { testHandler } from '../handlers/test.js'
import { VERSION } from '../version.js'
import { LazyAttemptRecord } from './attempt-record.js'
import { type AxesCheck, type CheckId, makeCheck, staticChecks } from './checks.js'
import { UNRESOLVED_DJANGO_PATHS } from './django-marker.js'
import { parseDuration } from './durations.js'
import { AxesEmitter, type AxesEvents, type AxesListener } from './events.js'
import { IdentityResolver, sensitiveKeys, sessionHash, UNKNOWN } from './identity.js'
import { buildLockoutResponse } from './lockout-response.js'
import {
  type AxesLogger,
  type AxesOptions,
  quiet,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import { Policy } from './policy.js'
import type { AxesResponse, DecisionReason, LockoutDecision, ResolvedTier } from './types.js'

/** A reserved attempt: its place is held until `failed`, `succeeded` or `release` settles it. */
export interface Reservation {
  /** The decision: `allowed` means a place is held and the credentials may be verified. */
  readonly decision: LockoutDecision
  /**
   * The credentials were wrong: records the failure and returns the decision after it. The failure
   * that reaches the limit comes back as a lockout (`allowed: false`), as django-axes answers it.
   * Calling it again returns the same decision without recording another failure.
   */
  failed(): Promise<LockoutDecision>
  /** The credentials were right: releases the place, writes the access log, resets on success. */
  succeeded(user?: unknown): Promise<void>
  /** Releases the place without recording anything (the check could not be completed). */
  release(): Promise<void>
}

/** What `protect` returns. */
export type ProtectResult<T> =
  | { ok: true; user: T; decision: LockoutDecision }
  | { ok: false; decision: LockoutDecision }

/** Internal state of one request. */
interface RequestState {
  rawIp?: string | null
  checked: boolean
  viaMiddleware: boolean
}

/** What `#prepare` found out before counting. */
type Prepared =
  | { kind: 'final'; decision: LockoutDecision }
  | {
      kind: 'count'
      client: ClientIdentity
      buckets: Bucket[]
      rule: LockoutRule
      input: CountInput
      parameters: readonly LockoutParameterItem[]
    }

const FORWARDED_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip']

/**
 * A node-axes instance. Adapters and applications call its per-request API; operators call its
 * resets. Create one with `createAxes`.
 */
export class Axes {
  /** The options after validation and defaults. */
  readonly options: Readonly<ResolvedOptions>
  /** The handler that keeps attempts. */
  readonly handler: AxesHandler

  readonly #identity: IdentityResolver
  readonly #policy: Policy
  readonly #events: AxesEmitter
  readonly #states = new WeakMap<AxesRequest, RequestState>()
  /** The rule when neither the limit nor the cool-off depends on the request. */
  #staticRule: LockoutRule | null = null
  readonly #staticChecks: AxesCheck[]
  readonly #runtimeChecks = new Map<string, AxesCheck>()
  readonly #silenced: ReadonlySet<string>
  readonly #sensitive: ReadonlySet<string>
  readonly #socketOnly: boolean

  constructor(options: AxesOptions = {}) {
    this.options = resolveOptions(options)
    const o = this.options
    this.handler = resolveHandler(o)
    this.handler.attach?.({
      disableAccessLog: o.disableAccessLog,
      enableAccessFailureLog: o.enableAccessFailureLog,
      accessFailureLogPerUserLimit: o.accessFailureLogPerUserLimit,
      useAttemptExpiration: o.useAttemptExpiration,
      lockoutParameters: o.lockoutParameters,
    })
    this.#identity = new IdentityResolver(o)
    this.#policy = new Policy(o)
    this.#events = new AxesEmitter(() => this.options.logger)
    this.#silenced = new Set(o.silencedChecks)
    this.#sensitive = sensitiveKeys(o)
    this.#socketOnly = o.ipwareMetaPrecedenceOrder.every((key) => key === 'REMOTE_ADDR')
    const unresolved = (options as Record<symbol, unknown>)[UNRESOLVED_DJANGO_PATHS]
    this.#staticChecks = staticChecks(
      o,
      this.handler,
      Array.isArray(unresolved) ? (unresolved as string[]) : [],
    )
    for (const check of this.#staticChecks) this.#logCheck(check)
    if (o.verbose) this.#log('info', `AXES: BEGIN version ${VERSION}, ${describeMode(o)}`)
  }

  // ----- events -----

  /** Adds an event listener; returns a function that removes it. */
  on<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    return this.#events.on(event, listener)
  }

  /** Adds a listener called once. */
  once<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): () => void {
    return this.#events.once(event, listener)
  }

  /** Removes an event listener. */
  off<E extends keyof AxesEvents>(event: E, listener: AxesListener<E>): void {
    this.#events.off(event, listener)
  }

  // ----- checks -----

  /**
   * The checks that apply: the static ones found at start-up and the runtime ones seen so far,
   * without the silenced codes.
   */
  check(): AxesCheck[] {
    return [...this.#staticChecks, ...this.#runtimeChecks.values()].filter(
      (c) => !this.#silenced.has(c.id),
    )
  }

  /**
   * Reports a runtime check once (adapters use this for checks only they can see, such as a proxy
   * setting that disagrees with node-axes').
   */
  reportCheck(id: CheckId, values: Record<string, string> = {}): void {
    if (this.#runtimeChecks.has(id)) return
    const check = makeCheck(id, values)
    this.#runtimeChecks.set(id, check)
    this.#logCheck(check)
  }

  // ----- the per-request API -----

  /**
   * Marks a request as seen by an adapter's middleware (adapters call this; it silences axes.W002
   * for the request).
   */
  attach(request: AxesRequest): void {
    this.#state(request).viaMiddleware = true
  }

  /**
   * Whether the client may attempt a login, without recording anything (django-axes'
   * `is_allowed`). Use it to refuse early or to show the login page; use `reserve` or `protect` on
   * the login itself, which also counts attempts in flight.
   */
  async isAllowed(
    request: AxesRequest,
    credentials?: Credentials | null,
  ): Promise<LockoutDecision> {
    const state = this.#state(request)
    state.checked = true
    const pending = this.#prepare(request, credentials ?? null)
    const prepared = pending instanceof Promise ? await pending : pending
    if (prepared.kind === 'final') return prepared.decision
    try {
      const result = await this.handler.getFailures(prepared.input)
      return this.#countDecision(prepared, result, false)
    } catch (error) {
      return this.#storeFailure(prepared.client, prepared.rule, error, 'getFailures')
    }
  }

  /**
   * Checks the client and reserves one attempt, atomically, before its credentials are verified.
   * When `decision.allowed` is true a place is held: settle it with `failed()`, `succeeded()` or
   * `release()`. N parallel attempts for one client reach the verifier exactly as many times as the
   * client has failures left.
   */
  async reserve(request: AxesRequest, credentials?: Credentials | null): Promise<Reservation> {
    const creds = credentials ?? null
    const state = this.#state(request)
    state.checked = true
    this.#noteMiddleware(state)
    const pending = this.#prepare(request, creds)
    const prepared = pending instanceof Promise ? await pending : pending
    if (prepared.kind === 'final') {
      const decision = prepared.decision
      return this.#reservation(request, creds, decision, null, null)
    }
    let result: Awaited<ReturnType<AxesHandler['reserve']>>
    try {
      result = await this.handler.reserve(prepared.input)
    } catch (error) {
      const decision = this.#storeFailure(prepared.client, prepared.rule, error, 'reserve')
      return this.#reservation(request, creds, decision, null, null)
    }
    if (result.outcome === 'reserved') {
      const decision = this.#countDecision(prepared, result, true)
      return this.#reservation(request, creds, decision, prepared, result.reservation)
    }
    if (result.outcome === 'busy') {
      const decision = this.#decision(
        'tooManyInFlight',
        false,
        prepared.client,
        prepared.rule,
        result.failures,
        null,
        false,
      )
      return this.#reservation(request, creds, decision, null, null)
    }
    const decision = this.#countDecision(prepared, result, result.recorded)
    if (result.recorded) this.#emitFailure(request, creds, prepared, decision)
    this.#emitLockedOut(request, prepared, decision)
    return this.#reservation(request, creds, decision, null, null)
  }

  /**
   * Records a failed login (django-axes' `user_login_failed`) for applications that report
   * failures after the fact. Returns the decision after it: the failure that reaches the limit
   * comes back as a lockout. Prefer `reserve` or `protect`, which also hold the limit under
   * concurrency.
   */
  async loginFailed(
    request: AxesRequest,
    credentials?: Credentials | null,
  ): Promise<LockoutDecision> {
    const creds = credentials ?? null
    const state = this.#state(request)
    this.#noteMiddleware(state)
    if (!state.checked) this.reportCheck('axes.W003')
    const pending = this.#prepare(request, creds)
    const prepared = pending instanceof Promise ? await pending : pending
    if (prepared.kind === 'final') return prepared.decision
    return this.#recordFailure(request, creds, prepared)
  }

  /**
   * Records a successful login (django-axes' `user_logged_in`): the access log row, and with
   * `resetOnSuccess` the deletion of the client's failures. `user` is the username, or an object
   * with a `username` (or `usernameFormField`) property; by default the request's username.
   */
  async loggedIn(request: AxesRequest, user?: unknown): Promise<void> {
    if (!this.options.enabled) return
    const client = this.#identity.identify(
      request,
      null,
      this.#rawIp(request, this.#state(request)),
    )
    await this.#succeeded(request, client, user)
  }

  /** Records a logout (django-axes' `user_logged_out`): the logout time on the access log. */
  async loggedOut(request: AxesRequest, user?: unknown): Promise<void> {
    if (!this.options.enabled) return
    const client = this.#identity.identify(
      request,
      null,
      this.#rawIp(request, this.#state(request)),
    )
    const username = this.#usernameOf(user) ?? client.username
    try {
      await this.handler.loggedOut({
        username,
        sessionHash: sessionHash(request.sessionId),
        logoutTime: new Date(this.options.clock()),
      })
    } catch (error) {
      this.#reportStoreError(error, 'loggedOut')
    }
    this.#log('info', () => `AXES: Successful logout by ${this.#clientString(client, request)}.`)
    this.#events.emit('loggedOut', { request, client: { ...client, username }, user })
  }

  /**
   * Reserve → verify → settle in one call (django-axes' `axes_dispatch`): `verify` receives the
   * credentials and returns the user (truthy) or a falsy value for wrong credentials. A locked
   * client's `verify` is never called. If `verify` throws, the place is released and the error is
   * rethrown.
   */
  async protect<T>(
    request: AxesRequest,
    credentials: Credentials | null,
    verify: (credentials: Credentials | null) => T | Promise<T>,
  ): Promise<ProtectResult<NonNullable<T>>> {
    const reservation = await this.reserve(request, credentials)
    if (!reservation.decision.allowed) return { ok: false, decision: reservation.decision }
    let user: T
    try {
      user = await verify(credentials)
    } catch (error) {
      await reservation.release()
      throw error
    }
    if (user) {
      await reservation.succeeded(user)
      return { ok: true, user: user as NonNullable<T>, decision: reservation.decision }
    }
    return { ok: false, decision: await reservation.failed() }
  }

  /**
   * The response for a refused decision (django-axes' `get_lockout_response`), framework-neutral.
   */
  async lockoutResponse(
    request: AxesRequest,
    decision: LockoutDecision,
    credentials?: Credentials | null,
    originalResponse?: unknown,
  ): Promise<AxesResponse> {
    return buildLockoutResponse({
      options: this.options,
      request,
      decision,
      credentials: credentials ? this.maskCredentials(credentials) : null,
      originalResponse,
    })
  }

  /** Credentials with sensitive values masked (django-axes' `cleanse_parameters`). */
  maskCredentials(credentials: Credentials): Credentials {
    const masked: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(credentials)) {
      masked[key] = this.#sensitive.has(key) ? '********************' : value
    }
    return masked
  }

  // ----- resets and listings -----

  /**
   * Deletes attempts (django-axes' `reset`): by IP, by username, both (AND), either
   * (`ipOrUsername`), or all of them with no argument. Returns how many were removed.
   */
  async reset(
    filter: { ip?: string | null; username?: string | null; ipOrUsername?: boolean } = {},
  ): Promise<number> {
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
    return this.handler.resetAttempts({
      ...(ipAddress !== null ? { ipAddress } : {}),
      ...(username !== null ? { username } : {}),
      ipOrUsername: filter.ipOrUsername ?? false,
    })
  }

  /**
   * Resets what blocks this request's client (django-axes' `reset_request`): its IP and the
   * `username` query parameter, combined as the lockout parameters combine them.
   */
  async resetRequest(request: AxesRequest): Promise<number> {
    const ip = this.#identity.countedIp(this.#rawIp(request, this.#state(request)))
    const rawUsername =
      request.query instanceof URLSearchParams
        ? request.query.get('username')
        : (request.query as Record<string, unknown> | null | undefined)?.username
    const username =
      typeof rawUsername === 'string' && rawUsername !== ''
        ? this.#identity.normalizeUsernameValue(rawUsername)
        : null
    const params = this.#parameters(request, null)
    let requiresIp = false
    let requiresUsername = false
    let combined = false
    for (const item of params) {
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
  resetLogs(options: { age?: number | null } = {}): Promise<number> {
    return this.handler.resetLogs({ ageDays: options.age ?? null })
  }

  /** Deletes access failure logs older than `age` days (all without `age`). Returns how many. */
  resetFailureLogs(options: { age?: number | null } = {}): Promise<number> {
    return this.handler.resetFailureLogs({ ageDays: options.age ?? null })
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
      rule: this.listingRule(),
    })
  }

  /**
   * The rule in force when neither the failure limit nor the cool-off depends on the request;
   * null otherwise (listings then cannot say which stored attempts are locked out).
   */
  listingRule(): LockoutRule | null {
    const o = this.options
    return typeof o.failureLimit !== 'function' && typeof o.cooloffTime !== 'function'
      ? this.#rule({} as AxesRequest, null)
      : null
  }

  /**
   * One page of stored attempts, filtered, searched and sorted (the admin's Access attempts page).
   * Throws `AXES_NOT_SUPPORTED` when the handler has no `queryAttempts`.
   */
  async queryAttempts(
    query: Omit<AttemptQuery, 'now' | 'rule'>,
  ): Promise<QueryPage<AttemptDetail>> {
    const fn = this.#optional('queryAttempts', 'query attempts')
    return fn({ ...query, now: this.options.clock(), rule: this.listingRule() })
  }

  /** One stored attempt by id, or null. Throws `AXES_NOT_SUPPORTED` without `getAttempt`. */
  async getAttempt(id: string): Promise<AttemptDetail | null> {
    const fn = this.#optional('getAttempt', 'show one attempt')
    return fn(id, { now: this.options.clock(), rule: this.listingRule() })
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
    return fn({ now: this.options.clock(), rule: this.listingRule() })
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
      rule: this.listingRule(),
      fromFailureLog: this.options.enableAccessFailureLog,
    })
  }

  /** An optional handler method bound to the handler, or an `AXES_NOT_SUPPORTED` error. */
  #optional<K extends keyof AxesHandler>(name: K, what: string): NonNullable<AxesHandler[K]> {
    const fn = this.handler[name]
    if (typeof fn !== 'function') {
      throw new AxesError('AXES_NOT_SUPPORTED', `the ${this.handler.name} handler cannot ${what}`)
    }
    return (fn as (...args: unknown[]) => unknown).bind(this.handler) as NonNullable<AxesHandler[K]>
  }

  /** Closes the handler (connections, files). */
  async close(): Promise<void> {
    await this.handler.close?.()
  }

  // ----- internals -----

  #state(request: AxesRequest): RequestState {
    let state = this.#states.get(request)
    if (!state) {
      state = { checked: false, viaMiddleware: false }
      this.#states.set(request, state)
    }
    return state
  }

  #noteMiddleware(state: RequestState): void {
    if (!state.viaMiddleware) this.reportCheck('axes.W002')
  }

  #rawIp(request: AxesRequest, state: RequestState): string | null {
    if (state.rawIp !== undefined) return state.rawIp
    const ip = this.#identity.rawIp(request)
    state.rawIp = ip
    if (ip === null) this.reportCheck('axes.W012')
    const o = this.options
    if (
      !o.clientIpCallable &&
      this.#socketOnly &&
      !this.#runtimeChecks.has('axes.W009') &&
      FORWARDED_HEADERS.some((name) => request.headers?.[name] !== undefined)
    ) {
      this.reportCheck('axes.W009')
    }
    return ip
  }

  /**
   * Everything before counting. Synchronous unless the application's whitelist function is
   * asynchronous (an await on a value that is already there still costs a turn of the event loop).
   */
  #prepare(request: AxesRequest, credentials: Credentials | null): Prepared | Promise<Prepared> {
    const o = this.options
    const now = o.clock()
    if (!o.enabled || this.handler.kind === 'dummy') {
      return { kind: 'final', decision: this.#openDecision('disabled', emptyClient(request)) }
    }
    const state = this.#state(request)
    const rawIp = this.#rawIp(request, state)
    const client = this.#identity.identify(request, credentials, rawIp)
    if (this.#policy.isExemptAsNonAdmin(request)) {
      return { kind: 'final', decision: this.#openDecision('notAdminSite', client) }
    }
    const rule = this.#rule(request, credentials)
    if (this.#policy.isBlacklisted(rawIp)) {
      return {
        kind: 'final',
        decision: this.#decision('blacklisted', false, client, rule, 0, null, false),
      }
    }
    const whitelisted = this.#policy.isWhitelisted(request, credentials, rawIp)
    if (whitelisted === false) return this.#prepareCount(request, credentials, client, rule, now)
    if (whitelisted === true) return this.#whitelisted(request, client, rule)
    return whitelisted.then((yes) =>
      yes
        ? this.#whitelisted(request, client, rule)
        : this.#prepareCount(request, credentials, client, rule, now),
    )
  }

  #whitelisted(request: AxesRequest, client: ClientIdentity, rule: LockoutRule): Prepared {
    this.#log(
      'info',
      () => `AXES: Login from whitelisted client ${this.#clientString(client, request)}.`,
    )
    return {
      kind: 'final',
      decision: this.#decision('whitelisted', true, client, rule, 0, null, false),
    }
  }

  #prepareCount(
    request: AxesRequest,
    credentials: Credentials | null,
    client: ClientIdentity,
    rule: LockoutRule,
    now: number,
  ): Prepared {
    const parameters = this.#parameters(request, credentials)
    const buckets = bucketsFor(parameters, client)
    if (buckets.length === 0) {
      this.#log(
        'warn',
        'AXES: Username is None and username is the only one lockout parameter, new record will NOT be created.',
      )
      return {
        kind: 'final',
        decision: this.#decision('allowed', true, client, rule, 0, null, false),
      }
    }
    const attempt = new LazyAttemptRecord(client, request, this.#sensitive, now)
    return {
      kind: 'count',
      client,
      buckets,
      rule,
      parameters,
      input: { buckets, rule, attempt, now },
    }
  }

  #parameters(
    request: AxesRequest,
    credentials: Credentials | null,
  ): readonly LockoutParameterItem[] {
    const params = this.options.lockoutParameters
    if (typeof params !== 'function') return params
    let value: unknown
    try {
      value = params(request, credentials)
    } catch (error) {
      throw new AxesCallableError('lockoutParameters', error)
    }
    const problems = lockoutParameterProblems(value)
    if (problems.length > 0) {
      throw new AxesCallableError('lockoutParameters', new TypeError(problems.join('; ')))
    }
    return value as readonly LockoutParameterItem[]
  }

  #rule(request: AxesRequest, credentials: Credentials | null): LockoutRule {
    if (this.#staticRule) return this.#staticRule
    const o = this.options
    let failureLimit: number
    if (o.lockoutTiers.length > 0) failureLimit = o.lockoutTiers[0]?.failures ?? 1
    else if (typeof o.failureLimit === 'function') {
      let value: unknown
      try {
        value = o.failureLimit(request, credentials)
      } catch (error) {
        throw new AxesCallableError('failureLimit', error)
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new AxesCallableError(
          'failureLimit',
          new TypeError(`it returned ${String(value)}; a whole number of at least 1 is needed`),
        )
      }
      failureLimit = value
    } else failureLimit = o.failureLimit

    let cooloffMs: number | null
    if (typeof o.cooloffTime === 'function') {
      let value: unknown
      try {
        value = o.cooloffTime(request)
      } catch (error) {
        throw new AxesCallableError('cooloffTime', error)
      }
      if (value === null || value === undefined) cooloffMs = null
      else {
        const parsed = parseDuration(value)
        if (!parsed.ok) throw new AxesCallableError('cooloffTime', new TypeError(parsed.reason))
        cooloffMs = parsed.ms
      }
    } else cooloffMs = o.cooloffTime

    const rule: LockoutRule = {
      failureLimit,
      cooloffMs,
      tiers: o.lockoutTiers,
      lockOutAtFailure: o.lockOutAtFailure,
      recordLockedAttempts: o.resetCoolOffOnFailureDuringLockout,
      reservationTtlMs: o.reservationTimeoutMs,
    }
    if (typeof o.failureLimit !== 'function' && typeof o.cooloffTime !== 'function') {
      this.#staticRule = Object.freeze(rule)
    }
    return rule
  }

  async #recordFailure(
    request: AxesRequest,
    credentials: Credentials | null,
    prepared: Extract<Prepared, { kind: 'count' }>,
    reservation: string | null = null,
  ): Promise<LockoutDecision> {
    const { input, rule } = prepared
    let result: CountResult
    try {
      if (reservation !== null) {
        result = await this.handler.settle(settleInput(input, input.now, reservation, 'failure'))
      } else {
        if (!rule.recordLockedAttempts) {
          const before = await this.handler.getFailures(input)
          if (before.lockedUntil !== null) {
            const decision = this.#countDecision(prepared, before, false)
            this.#emitLockedOut(request, prepared, decision)
            return decision
          }
        }
        result = await this.handler.recordFailure(input)
      }
    } catch (error) {
      return this.#storeFailure(prepared.client, rule, error, 'recordFailure')
    }
    const decision = this.#countDecision(prepared, result, true)
    this.#emitFailure(request, credentials, prepared, decision)
    if (decision.lockedOut) this.#emitLockedOut(request, prepared, decision)
    return decision
  }

  async #succeeded(request: AxesRequest, client: ClientIdentity, user: unknown): Promise<void> {
    const o = this.options
    const username = this.#usernameOf(user) ?? client.username
    const loggedClient = { ...client, username }
    this.#log(
      'info',
      () => `AXES: Successful login by ${this.#clientString(loggedClient, request)}.`,
    )
    try {
      await this.handler.loggedIn({
        ...loggedClient,
        attemptTime: new Date(o.clock()),
        sessionHash: sessionHash(request.sessionId),
      })
    } catch (error) {
      this.#reportStoreError(error, 'loggedIn')
    }
    if (o.resetOnSuccess) {
      const credentials = { [o.usernameFormField]: username }
      const buckets = bucketsFor(this.#parameters(request, credentials), loggedClient)
      try {
        await this.handler.resetBuckets(buckets)
      } catch (error) {
        this.#reportStoreError(error, 'resetBuckets')
      }
    }
    this.#events.emit('loggedIn', { request, client: loggedClient, user })
  }

  #reservation(
    request: AxesRequest,
    credentials: Credentials | null,
    decision: LockoutDecision,
    prepared: Extract<Prepared, { kind: 'count' }> | null,
    token: string | null,
  ): Reservation {
    let settled = false
    let failure: Promise<LockoutDecision> | null = null
    const settle = async (outcome: 'success' | 'cancel') => {
      if (settled || token === null || prepared === null) return
      settled = true
      try {
        await this.handler.settle(settleInput(prepared.input, this.options.clock(), token, outcome))
      } catch (error) {
        this.#reportStoreError(error, 'settle')
      }
    }
    return {
      decision,
      failed: () => {
        // One reservation is one attempt: a second call answers as the first, recording nothing.
        failure ??= (async () => {
          if (!decision.allowed) return decision
          if (prepared === null || token === null || settled) {
            if (prepared === null) return decision
            return this.#recordFailure(request, credentials, prepared)
          }
          settled = true
          const input = countInput(prepared.input, this.options.clock())
          const current = {
            kind: prepared.kind,
            client: prepared.client,
            buckets: prepared.buckets,
            rule: prepared.rule,
            parameters: prepared.parameters,
            input,
          }
          return this.#recordFailure(request, credentials, current, token)
        })()
        return failure
      },
      succeeded: async (user?: unknown) => {
        await settle('success')
        if (!decision.allowed || decision.reason === 'disabled') return
        await this.#succeeded(request, decision.client, user)
      },
      release: () => settle('cancel'),
    }
  }

  #countDecision(
    prepared: Extract<Prepared, { kind: 'count' }>,
    result: CountResult,
    recorded: boolean,
  ): LockoutDecision {
    const locked = result.lockedUntil !== null
    return this.#decision(
      locked ? 'lockedOut' : 'allowed',
      !locked,
      prepared.client,
      prepared.rule,
      result.failures,
      result.lockedUntil,
      recorded,
    )
  }

  #decision(
    reason: DecisionReason,
    allowed: boolean,
    client: ClientIdentity,
    rule: LockoutRule,
    failures: number,
    lockedUntil: number | null,
    recorded: boolean,
  ): LockoutDecision {
    const now = this.options.clock()
    const tier = tierFor(rule, failures)
    const finite = lockedUntil !== null && Number.isFinite(lockedUntil)
    return {
      allowed,
      reason,
      lockedOut: reason === 'lockedOut',
      failures,
      failureLimit: rule.failureLimit,
      remaining: !allowed
        ? 0
        : rule.lockOutAtFailure
          ? attemptsLeft(rule, failures)
          : Math.max(0, rule.failureLimit - failures),
      cooloffMs: lockDurationMs(rule, Math.max(failures, rule.failureLimit)),
      retryAfterMs: finite ? Math.max(0, (lockedUntil as number) - now) : null,
      lockedUntil: finite ? new Date(lockedUntil as number) : null,
      tier,
      recorded,
      client,
    }
  }

  #openDecision(reason: DecisionReason, client: ClientIdentity): LockoutDecision {
    const limit = typeof this.options.failureLimit === 'number' ? this.options.failureLimit : 0
    return {
      allowed: true,
      reason,
      lockedOut: false,
      failures: 0,
      failureLimit: limit,
      remaining: limit,
      cooloffMs: null,
      retryAfterMs: null,
      lockedUntil: null,
      tier: null,
      recorded: false,
      client,
    }
  }

  #storeFailure(
    client: ClientIdentity,
    rule: LockoutRule,
    error: unknown,
    operation: string,
  ): LockoutDecision {
    const storeError = this.#reportStoreError(error, operation)
    const failOpen = this.options.onStoreError === 'failOpen'
    const decision = this.#decision('storeError', failOpen, client, rule, 0, null, false)
    decision.error = storeError
    return decision
  }

  #reportStoreError(error: unknown, operation: string): AxesStoreError {
    const storeError =
      error instanceof AxesStoreError
        ? error
        : new AxesStoreError(
            `the ${this.handler.name} handler failed in ${operation}: ${describeError(error)}`,
            { cause: error },
          )
    const policy = this.options.onStoreError
    const text = storeError.message.replace(/^\[node-axes\] /, '')
    this.#log('error', `AXES: ${text} (onStoreError: ${policy})`)
    this.#events.emit('storeError', { error: storeError, operation, policy })
    return storeError
  }

  #emitFailure(
    request: AxesRequest,
    credentials: Credentials | null,
    prepared: Extract<Prepared, { kind: 'count' }>,
    decision: LockoutDecision,
  ): void {
    if (this.#logs('info')) {
      this.#log(
        'info',
        `AXES: Repeated login failure by ${this.#clientString(prepared.client, request, prepared.parameters)}. Count = ${decision.failures} of ${decision.failureLimit}.`,
      )
    }
    if (!this.#events.has('loginFailed')) return
    this.#events.emit('loginFailed', {
      request,
      credentials: credentials ? this.maskCredentials(credentials) : null,
      client: prepared.client,
      decision,
    })
  }

  #emitLockedOut(
    request: AxesRequest,
    prepared: Extract<Prepared, { kind: 'count' }>,
    decision: LockoutDecision,
  ): void {
    this.#log(
      'warn',
      () =>
        `AXES: Locked out ${this.#clientString(prepared.client, request, prepared.parameters)} after repeated login failures.`,
    )
    this.#events.emit('lockedOut', {
      request,
      username: prepared.client.username,
      ipAddress: prepared.client.ipAddress,
      decision,
    })
  }

  #usernameOf(user: unknown): string | null {
    if (typeof user === 'string') return user
    if (typeof user === 'object' && user !== null) {
      const record = user as Record<string, unknown>
      const value = record[this.options.usernameFormField] ?? record.username
      if (typeof value === 'string') return value
    }
    return null
  }

  #clientString(
    client: ClientIdentity,
    request: AxesRequest,
    parameters?: readonly LockoutParameterItem[],
  ): string {
    const params =
      parameters ??
      (typeof this.options.lockoutParameters === 'function' ? [] : this.options.lockoutParameters)
    try {
      return this.#identity.clientString(client, request, params)
    } catch (error) {
      return `{client string failed: ${describeError(error)}}`
    }
  }

  #logCheck(check: AxesCheck): void {
    if (this.#silenced.has(check.id)) return
    this.#log('warn', `${check.id}: ${check.message} HINT: ${check.hint}`)
  }

  /** Whether `level` reaches a logger (so that costly messages are built only then). */
  #logs(level: keyof AxesLogger): boolean {
    const logger = this.options.logger
    if (!logger) return false
    const fn = logger[level]
    return typeof fn === 'function' && fn !== quiet
  }

  #log(level: keyof AxesLogger, message: string | (() => string)): void {
    if (!this.#logs(level)) return
    const logger = this.options.logger as AxesLogger
    ;(logger[level] as (m: string) => void).call(
      logger,
      typeof message === 'function' ? message() : message,
    )
  }
}

// Inputs are built field by field: object spread on these hot paths costs microseconds in V8.

function countInput(input: CountInput, now: number): CountInput {
  return { buckets: input.buckets, rule: input.rule, attempt: input.attempt, now }
}

function settleInput(
  input: CountInput,
  now: number,
  reservation: string,
  outcome: SettleInput['outcome'],
): SettleInput {
  return {
    buckets: input.buckets,
    rule: input.rule,
    attempt: input.attempt,
    now,
    reservation,
    outcome,
  }
}

function resolveHandler(options: ResolvedOptions): AxesHandler {
  const handler = options.handler
  // The embedded default: django-axes' tables in a SQLite file (drivers load on first use).
  if (handler === 'database') return databaseHandler({ url: options.databaseUrl })
  if (handler === 'memory') return memoryHandler()
  if (handler === 'dummy') return dummyHandler()
  if (handler === 'test') return testHandler()
  return handler
}

function tierFor(rule: LockoutRule, failures: number): ResolvedTier | null {
  let found: ResolvedTier | null = null
  for (const tier of rule.tiers) {
    if (tier.failures <= failures) found = { failures: tier.failures, cooloffMs: tier.cooloffMs }
    else break
  }
  return found
}

function emptyClient(request: AxesRequest): ClientIdentity {
  return {
    ipAddress: null,
    username: null,
    userAgent: UNKNOWN,
    pathInfo: typeof request.path === 'string' ? request.path.slice(0, 255) : UNKNOWN,
    httpAccept: UNKNOWN,
  }
}

/** django-axes' start-up mode string, e.g. `blocking by username or ip_address`. */
export function describeMode(options: ResolvedOptions): string {
  const params = options.lockoutParameters
  if (typeof params === 'function') {
    return 'blocking by parameters that are calculated in a custom callable'
  }
  return `blocking by ${params
    .map((item) => (typeof item === 'string' ? item : `combination of ${item.join(' and ')}`))
    .join(' or ')}`
}

/**
 * Creates a node-axes instance. Options are validated at once: a bad option throws one
 * `AxesConfigError` naming every bad key and what it accepts.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * const result = await axes.protect(request, credentials, (c) => users.verify(c))
 * ```
 */
export function createAxes(options: AxesOptions = {}): Axes {
  return new Axes(options)
}
