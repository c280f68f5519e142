/**
 * The engine: an instance's per-request API (`isAllowed`, `reserve`, `loginFailed`, `protect`,
 * `loggedIn`, `loggedOut`, `lockoutResponse`) and the path of one login through it: identify the
 * client, apply the policy (disabled, allow and deny lists, admin-only), resolve the rule, ask the
 * handler, answer with a decision, log and emit. Rules, decisions, diagnostics and the operators'
 * resets and queries live in modules of their own; the composition root (`src/compose/`) chooses
 * the handler.
 */

import { type Bucket, bucketsFor, type LockoutParameterItem } from '../ground/buckets.js'
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
import { AxesStoreError, describeError } from '../ground/errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import { VERSION } from '../ground/version.js'
import { LazyAttemptRecord } from './attempt-record.js'
import type { AxesCheck, CheckId } from './checks.js'
import { type DecisionFacts, decide, emptyClient, openDecision } from './decisions.js'
import { Diagnostics, describeMode } from './diagnostics.js'
import { UNRESOLVED_DJANGO_PATHS } from './django-marker.js'
import { AxesEmitter, type AxesEvents, type AxesListener } from './events.js'
import { IdentityResolver, sensitiveKeys, sessionHash } from './identity.js'
import { buildLockoutResponse } from './lockout-response.js'
import { Operations, type ResetRequestFilter } from './operations.js'
import { type AxesOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { Policy } from './policy.js'
import { RuleBook } from './rules.js'
import type { AxesResponse, LockoutDecision } from './types.js'

/**
 * Turns resolved options into the instance's handler. The composition root (`src/compose/`)
 * supplies it, so that the engine knows the handler contract and no handler.
 */
export type HandlerResolver = (options: Readonly<ResolvedOptions>) => AxesHandler

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
 * A node-axes instance's engine. Applications get it as `Axes` from `createAxes` (the composition
 * root), which chooses the handler; adapters and applications call its per-request API, operators
 * its resets.
 */
export class AxesEngine {
  /** The options after validation and defaults. */
  readonly options: Readonly<ResolvedOptions>
  /** The handler that keeps attempts. */
  readonly handler: AxesHandler

  readonly #identity: IdentityResolver
  readonly #policy: Policy
  readonly #rules: RuleBook
  readonly #diagnostics: Diagnostics
  readonly #operations: Operations
  readonly #events: AxesEmitter
  readonly #states = new WeakMap<AxesRequest, RequestState>()
  readonly #sensitive: ReadonlySet<string>
  readonly #socketOnly: boolean

  /** Validates `options` (throwing one `AxesConfigError` for every bad key) and attaches the handler. */
  constructor(options: AxesOptions, resolveHandler: HandlerResolver) {
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
    this.#rules = new RuleBook(o)
    this.#operations = new Operations(o, this.handler, this.#identity, this.#rules)
    this.#events = new AxesEmitter(() => this.options.logger)
    this.#sensitive = sensitiveKeys(o)
    this.#socketOnly = o.ipwareMetaPrecedenceOrder.every((key) => key === 'REMOTE_ADDR')
    const unresolved = (options as Record<symbol, unknown>)[UNRESOLVED_DJANGO_PATHS]
    this.#diagnostics = new Diagnostics(
      o,
      this.handler,
      Array.isArray(unresolved) ? (unresolved as string[]) : [],
    )
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
    return this.#diagnostics.checks()
  }

  /**
   * Reports a runtime check once (adapters use this for checks only they can see, such as a proxy
   * setting that disagrees with node-axes').
   */
  reportCheck(id: CheckId, values: Record<string, string> = {}): void {
    this.#diagnostics.report(id, values)
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
      const decision = this.#decide({
        reason: 'tooManyInFlight',
        allowed: false,
        client: prepared.client,
        rule: prepared.rule,
        failures: result.failures,
        lockedUntil: null,
        recorded: false,
      })
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
  async reset(filter: ResetRequestFilter = {}): Promise<number> {
    return this.#operations.reset(filter)
  }

  /**
   * Resets what blocks this request's client (django-axes' `reset_request`): its IP and the
   * `username` query parameter, combined as the lockout parameters combine them.
   */
  async resetRequest(request: AxesRequest): Promise<number> {
    return this.#operations.resetRequest(request, this.#rawIp(request, this.#state(request)))
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
    return this.#rules.listingRule()
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
    if (ip === null) this.#diagnostics.report('axes.W012')
    const o = this.options
    if (
      !o.clientIpCallable &&
      this.#socketOnly &&
      !this.#diagnostics.hasReported('axes.W009') &&
      FORWARDED_HEADERS.some((name) => request.headers?.[name] !== undefined)
    ) {
      this.#diagnostics.report('axes.W009')
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
      return {
        kind: 'final',
        decision: openDecision('disabled', emptyClient(request), o.failureLimit),
      }
    }
    const state = this.#state(request)
    const rawIp = this.#rawIp(request, state)
    const client = this.#identity.identify(request, credentials, rawIp)
    if (this.#policy.isExemptAsNonAdmin(request)) {
      return { kind: 'final', decision: openDecision('notAdminSite', client, o.failureLimit) }
    }
    const rule = this.#rules.rule(request, credentials)
    if (this.#policy.isBlacklisted(rawIp)) {
      return {
        kind: 'final',
        decision: this.#decide({
          reason: 'blacklisted',
          allowed: false,
          client,
          rule,
          failures: 0,
          lockedUntil: null,
          recorded: false,
        }),
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
      decision: this.#decide({
        reason: 'whitelisted',
        allowed: true,
        client,
        rule,
        failures: 0,
        lockedUntil: null,
        recorded: false,
      }),
    }
  }

  #prepareCount(
    request: AxesRequest,
    credentials: Credentials | null,
    client: ClientIdentity,
    rule: LockoutRule,
    now: number,
  ): Prepared {
    const parameters = this.#rules.parameters(request, credentials)
    const buckets = bucketsFor(parameters, client)
    if (buckets.length === 0) {
      this.#log(
        'warn',
        'AXES: Username is None and username is the only one lockout parameter, new record will NOT be created.',
      )
      return {
        kind: 'final',
        decision: this.#decide({
          reason: 'allowed',
          allowed: true,
          client,
          rule,
          failures: 0,
          lockedUntil: null,
          recorded: false,
        }),
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
      const buckets = bucketsFor(this.#rules.parameters(request, credentials), loggedClient)
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
    return this.#decide({
      reason: locked ? 'lockedOut' : 'allowed',
      allowed: !locked,
      client: prepared.client,
      rule: prepared.rule,
      failures: result.failures,
      lockedUntil: result.lockedUntil,
      recorded,
    })
  }

  #decide(facts: DecisionFacts): LockoutDecision {
    return decide(facts, this.options.clock())
  }

  #storeFailure(
    client: ClientIdentity,
    rule: LockoutRule,
    error: unknown,
    operation: string,
  ): LockoutDecision {
    const storeError = this.#reportStoreError(error, operation)
    const failOpen = this.options.onStoreError === 'failOpen'
    const decision = this.#decide({
      reason: 'storeError',
      allowed: failOpen,
      client,
      rule,
      failures: 0,
      lockedUntil: null,
      recorded: false,
    })
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
    if (this.#diagnostics.logs('info')) {
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

  #log(level: 'debug' | 'info' | 'warn' | 'error', message: string | (() => string)): void {
    this.#diagnostics.log(level, message)
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
