/**
 * The engine: an instance's per-request API (`isAllowed`, `reserve`, `loginFailed`, `protect`,
 * `loggedIn`, `loggedOut`, `lockoutResponse`) and the path of one login through it: identify,
 * apply the policy, resolve the rule, ask the handler, decide, log and emit.
 */

import {
  type AxesHandler,
  type CountResult,
  capabilitiesOf,
  type HandlerCapabilities,
} from '../ground/contract.js'
import type { AccessLogStore } from '../ground/contract-logs.js'
import type { AxesError } from '../ground/errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import { VERSION } from '../ground/version.js'
import type { InstanceContext } from './context.js'
import { countDecision, decide, uncountedDecision } from './decisions.js'
import { defencesOf, isRepeat, type LoginDefence, screenAll } from './defence.js'
import { Diagnostics, describeMode } from './diagnostics.js'
import { UNRESOLVED_DJANGO_PATHS } from './django-marker.js'
import { AxesEmitter } from './events.js'
import { IdentityResolver, maskCredentials, sensitiveKeys } from './identity.js'
import { buildLockoutResponse } from './lockout-response.js'
import { type AxesOptions, logRecord, type ResolvedOptions, resolveOptions } from './options.js'
import { Policy } from './policy.js'
import {
  type Counted,
  countedAt,
  Preparation,
  type Prepared,
  type RequestState,
  settleInput,
} from './preparation.js'
import { LoginReporter } from './reporting.js'
import {
  type ProtectResult,
  type Reservation,
  type ReservationSteps,
  type ReservedAttempt,
  reservationOf,
} from './reservation.js'
import { RuleBook } from './rules.js'
import { Sessions } from './sessions.js'
import type { AxesResponse, LockoutDecision } from './types.js'

export type { ProtectResult, Reservation } from './reservation.js'

/** A reserved attempt as the engine's reservation steps see it. */
interface Attempt extends ReservedAttempt {
  readonly request: AxesRequest
  readonly credentials: Credentials | null
  readonly counted: Counted | null
}

/**
 * Turns resolved options into the instance's handler. The composition root (`src/compose/`)
 * supplies it, so that the engine knows the handler contract and no handler.
 */
export type HandlerResolver = (options: Readonly<ResolvedOptions>) => AxesHandler

/**
 * The per-request engine. Applications get it, with the operator side (`AxesInstance`) on top,
 * as `Axes` from `createAxes`; adapters and applications call its per-request API.
 */
export class AxesEngine {
  /** The options after validation and defaults. */
  readonly options: Readonly<ResolvedOptions>
  /** The handler that keeps attempts. */
  readonly handler: AxesHandler
  /** What the handler can do beyond counting (access logs, listing, browsing), asked once. */
  readonly capabilities: HandlerCapabilities

  /** Reads the client's identity from requests. */
  protected readonly identity: IdentityResolver
  /** The lockout parameters and the rule of each request. */
  protected readonly rules: RuleBook
  /** The checks and the logger. */
  protected readonly diagnostics: Diagnostics
  /** The application's listeners. */
  protected readonly events: AxesEmitter
  /** What the parts of this instance share. */
  protected readonly context: InstanceContext
  readonly #report: LoginReporter
  readonly #sessions: Sessions
  readonly #prep: Preparation
  readonly #defences: readonly LoginDefence[]
  readonly #screens: readonly LoginDefence[]
  readonly #repeats: readonly LoginDefence[]
  readonly #sensitive: ReadonlySet<string>

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
    this.capabilities = capabilitiesOf(this.handler)
    this.identity = new IdentityResolver(o)
    this.rules = new RuleBook(o)
    this.events = new AxesEmitter(() => this.options.logger)
    this.#sensitive = sensitiveKeys(o)
    const unresolved = (options as Record<symbol, unknown>)[UNRESOLVED_DJANGO_PATHS]
    this.diagnostics = new Diagnostics(
      o,
      this.handler,
      Array.isArray(unresolved) ? (unresolved as string[]) : [],
    )
    this.context = {
      options: o,
      handler: this.handler,
      identity: this.identity,
      rules: this.rules,
      diagnostics: this.diagnostics,
      events: this.events,
      sensitive: this.#sensitive,
    }
    this.#report = new LoginReporter(this.context)
    const logs = this.capabilities.logs ? (this.handler as AccessLogStore) : null
    this.#sessions = new Sessions(this.context, logs, this.#report)
    this.#prep = new Preparation(this.context, new Policy(o), this.#report)
    this.#defences = defencesOf(o)
    this.#screens = this.#defences.filter((d) => d.screen)
    this.#repeats = this.#defences.filter((d) => d.repeated)
    for (const defence of this.#defences) defence.check?.(this.context)
    if (o.verbose) {
      this.diagnostics.log('info', () =>
        logRecord(`AXES: BEGIN version ${VERSION}, ${describeMode(o)}`, 'start'),
      )
    }
  }

  // ----- the per-request API -----

  /**
   * Marks a request as seen by an adapter's middleware (adapters call this; it silences axes.W002
   * for the request).
   */
  attach(request: AxesRequest): void {
    this.#prep.state(request).viaMiddleware = true
  }

  /**
   * Whether the client may attempt a login, without recording anything (django-axes'
   * `is_allowed`). Use it to refuse early or to show the login page; use `reserve` or `protect` on
   * the login itself, which also counts attempts in flight.
   */
  isAllowed(request: AxesRequest, credentials?: Credentials | null): Promise<LockoutDecision> {
    return this.events.decided('isAllowed', request, () => this.#isAllowed(request, credentials))
  }

  async #isAllowed(
    request: AxesRequest,
    credentials?: Credentials | null,
  ): Promise<LockoutDecision> {
    const state = this.#prep.state(request)
    state.checked = true
    const pending = this.#prepare(request, credentials ?? null)
    const prepared = pending instanceof Promise ? await pending : pending
    if (prepared.kind === 'final') return prepared.decision
    try {
      const result = await this.handler.getFailures(prepared.input)
      return this.#counted(prepared, result, false)
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
  reserve(request: AxesRequest, credentials?: Credentials | null): Promise<Reservation> {
    const run = () => this.#reserve(request, credentials)
    return this.events.decided('reserve', request, run)
  }

  async #reserve(request: AxesRequest, credentials?: Credentials | null): Promise<Reservation> {
    const creds = credentials ?? null
    const state = this.#prep.state(request)
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
      const decision = this.#counted(prepared, result, true)
      return this.#reservation(request, creds, decision, prepared, result.reservation)
    }
    if (result.outcome === 'busy') {
      const { client, rule } = prepared
      const failures = result.failures
      const facts = { client, rule, failures, lockedUntil: null, recorded: false }
      const decision = decide(
        { reason: 'tooManyInFlight', allowed: false, ...facts },
        this.options.clock(),
      )
      return this.#reservation(request, creds, decision, null, null)
    }
    const decision = this.#counted(prepared, result, result.recorded)
    if (result.recorded) this.#report.failure(request, creds, prepared, decision)
    this.#report.lockedOut(request, prepared, decision)
    return this.#reservation(request, creds, decision, null, null)
  }

  /**
   * Records a failed login (django-axes' `user_login_failed`) for applications that report
   * failures after the fact. Returns the decision after it: the failure that reaches the limit
   * comes back as a lockout. Prefer `reserve` or `protect`, which also hold the limit under
   * concurrency.
   */
  loginFailed(request: AxesRequest, credentials?: Credentials | null): Promise<LockoutDecision> {
    const run = () => this.#loginFailed(request, credentials)
    return this.events.decided('loginFailed', request, run)
  }

  async #loginFailed(
    request: AxesRequest,
    credentials?: Credentials | null,
  ): Promise<LockoutDecision> {
    const creds = credentials ?? null
    const state = this.#prep.state(request)
    this.#noteMiddleware(state)
    if (!state.checked) this.diagnostics.report('axes.W003')
    const pending = this.#prepare(request, creds, true)
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
    const client = this.identity.identify(request, null, this.rawIpOf(request))
    await this.#sessions.loggedIn(request, client, user)
  }

  /** Records a logout (django-axes' `user_logged_out`): the logout time on the access log. */
  async loggedOut(request: AxesRequest, user?: unknown): Promise<void> {
    if (!this.options.enabled) return
    const client = this.identity.identify(request, null, this.rawIpOf(request))
    await this.#sessions.loggedOut(request, client, user)
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
    return maskCredentials(credentials, this.#sensitive)
  }

  // ----- internals -----

  /** Prepares and screens a request (sync without screens); `reported`: from `loginFailed`. */
  #prepare(request: AxesRequest, creds: Credentials | null, reported = false) {
    const pending = this.#prep.prepare(request, creds)
    return this.#screens.length > 0 ? this.#screen(request, pending, reported) : pending
  }

  async #screen(request: AxesRequest, pending: Prepared | Promise<Prepared>, reported: boolean) {
    const prepared = pending instanceof Promise ? await pending : pending
    if (prepared.kind === 'final') return prepared
    const fail = (error: unknown) =>
      this.#storeFailure(prepared.client, prepared.rule, error, 'screen')
    const ip = this.rawIpOf(request)
    return screenAll(this.#screens, this.context, request, prepared, ip, fail, reported)
  }

  #noteMiddleware(state: RequestState): void {
    if (!state.viaMiddleware) this.diagnostics.report('axes.W002')
  }

  async #recordFailure(
    request: AxesRequest,
    credentials: Credentials | null,
    prepared: Counted,
    reservation: string | null = null,
  ): Promise<LockoutDecision> {
    const { input, rule } = prepared
    let result: CountResult
    let repeat = false
    try {
      if (reservation === null && !rule.recordLockedAttempts) {
        const before = await this.handler.getFailures(input)
        if (before.lockedUntil !== null) {
          const decision = this.#counted(prepared, before, false)
          this.#report.lockedOut(request, prepared, decision)
          return decision
        }
      }
      const [c, h] = [this.context, this.handler]
      if (this.#repeats.length > 0)
        repeat = await isRepeat(this.#repeats, c, request, credentials, prepared, this.#onDefError)
      // The same wrong password again is not counted (a held place is released).
      if (reservation !== null) {
        result = await h.settle(
          settleInput(input, input.now, reservation, repeat ? 'cancel' : 'failure'),
        )
      } else result = await (repeat ? h.getFailures(input) : h.recordFailure(input))
    } catch (error) {
      return this.#storeFailure(prepared.client, rule, error, 'recordFailure')
    }
    const decision = this.#counted(prepared, result, !repeat)
    if (repeat) decision.repeatedPassword = true
    this.#report.failure(request, credentials, prepared, decision)
    if (repeat) return decision
    if (decision.lockedOut) this.#report.lockedOut(request, prepared, decision)
    for (const d of this.#defences)
      await d.failed?.(this.context, request, prepared, decision).catch(this.#onDefError)
    return decision
  }

  #reservation(
    request: AxesRequest,
    credentials: Credentials | null,
    decision: LockoutDecision,
    counted: Counted | null,
    token: string | null,
  ): Reservation {
    return reservationOf({ request, credentials, decision, counted, token }, this.#steps)
  }

  readonly #onDefError = (error: unknown) => this.#report.storeError(error, 'defence')

  /** What every reservation of this instance does at each step. */
  readonly #steps: ReservationSteps<Attempt> = {
    settle: async ({ counted, token }, outcome) => {
      if (counted === null || token === null) return
      const input = settleInput(counted.input, this.options.clock(), token, outcome)
      try {
        await this.handler.settle(input)
      } catch (error) {
        this.#report.storeError(error, 'settle')
      }
    },
    recordFailure: ({ request, credentials, counted, token }, held) => {
      const attempt = counted as Counted
      if (!held || token === null) return this.#recordFailure(request, credentials, attempt)
      const now = countedAt(attempt, this.options.clock())
      return this.#recordFailure(request, credentials, now, token)
    },
    succeed: async ({ request, decision }, user) => {
      await this.#sessions.loggedIn(request, decision.client, user)
      for (const defence of this.#defences) await defence.succeeded?.(this.context, decision)
    },
  }

  /**
   * The raw client IP of a request (before masking and IPv6 grouping), resolved once per request;
   * reports axes.W012 when there is none and axes.W009 when a forwarded header is not trusted.
   */
  protected rawIpOf(request: AxesRequest): string | null {
    return this.#prep.rawIp(request, this.#prep.state(request))
  }

  /** The decision for a counted attempt, from the handler's answer. */
  #counted(prepared: Counted, result: CountResult, recorded: boolean): LockoutDecision {
    return countDecision(prepared, result, recorded, this.options.clock())
  }

  /**
   * A store error decided by `onStoreError`. A configuration mistake that the handler could only
   * see now (`AXES_INVALID_OPTIONS`, such as lockout parameters given as a function that do not
   * fit the handler) is not a store error: it is thrown (the framework answers 500 and logs it),
   * and never let through by `'failOpen'`.
   */
  #storeFailure(
    client: ClientIdentity,
    rule: LockoutRule,
    error: unknown,
    operation: string,
  ): LockoutDecision {
    if ((error as AxesError | null)?.code === 'AXES_INVALID_OPTIONS') throw error
    const storeError = this.#report.storeError(error, operation)
    const failOpen = this.options.onStoreError === 'failOpen'
    const decision = uncountedDecision('storeError', failOpen, client, rule, this.options.clock())
    decision.error = storeError
    return decision
  }
}
