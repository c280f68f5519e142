/**
 * Preparation: everything the engine does with a request before it asks the handler. The client's
 * raw IP (once per request), its identity, the policy (disabled, admin-only, deny and allow
 * lists), the rule and the buckets; the answer is either a final decision or an attempt to count.
 */

import { type Bucket, bucketsFor } from '../ground/buckets.js'
import type { CountInput, SettleInput } from '../ground/contract.js'
import { AxesError } from '../ground/errors.js'
import type { AxesRequest, ClientIdentity, Credentials } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import { LazyAttemptRecord } from './attempt-record.js'
import type { InstanceContext } from './context.js'
import { emptyClient, openDecision, uncountedDecision } from './decisions.js'
import { logRecord } from './options.js'
import type { Policy } from './policy.js'
import type { CountedClient, LoginReporter } from './reporting.js'
import type { DecisionReason, LockoutDecision } from './types.js'

/** What the engine remembers of one request. */
export interface RequestState {
  rawIp?: string | null
  checked: boolean
  viaMiddleware: boolean
}

/** An attempt to count: the client, its buckets, the rule, and the handler's input. */
export interface Counted extends CountedClient {
  readonly kind: 'count'
  readonly buckets: Bucket[]
  readonly rule: LockoutRule
  readonly input: CountInput
  /** Spray detection's source of the attempt (set by its screen), if any. */
  readonly source?: string | null
  /** The id of the trusted device the attempt is counted for (set by device cookies), if any. */
  readonly device?: string | null
  /** `'passed'` when the attempt needed a challenge and carried one that passed (challenges). */
  readonly challenge?: 'passed'
}

/** What `#prepare` found out before counting: a final decision, or an attempt to count. */
export type Prepared = { kind: 'final'; decision: LockoutDecision } | Counted

const FORWARDED_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip']

/** Prepares an instance's requests for counting. */
export class Preparation {
  readonly #socketOnly: boolean
  readonly #states = new WeakMap<AxesRequest, RequestState>()

  readonly #c: InstanceContext
  readonly #policy: Policy
  readonly #report: LoginReporter

  constructor(context: InstanceContext, policy: Policy, report: LoginReporter) {
    this.#c = context
    this.#policy = policy
    this.#report = report
    this.#socketOnly = context.options.ipwareMetaPrecedenceOrder.every(
      (key) => key === 'REMOTE_ADDR',
    )
  }

  /** What the engine remembers of `request` (made on first use). */
  state(request: AxesRequest): RequestState {
    let state = this.#states.get(request)
    if (!state) {
      state = { checked: false, viaMiddleware: false }
      this.#states.set(request, state)
    }
    return state
  }

  /** The raw client IP of `request`, resolved once; reports axes.W012 and axes.W009. */
  rawIp(request: AxesRequest, state: RequestState): string | null {
    if (state.rawIp !== undefined) return state.rawIp
    const ip = this.#c.identity.rawIp(request)
    state.rawIp = ip
    if (ip === null) this.#c.diagnostics.report('axes.W012')
    const o = this.#c.options
    if (
      !o.clientIpCallable &&
      this.#socketOnly &&
      request.frameworkIp === undefined &&
      !this.#c.diagnostics.hasReported('axes.W009') &&
      FORWARDED_HEADERS.some((name) => request.headers?.[name] !== undefined)
    ) {
      this.#c.diagnostics.report('axes.W009')
    }
    return ip
  }

  /**
   * Everything before counting. Synchronous unless the application's whitelist function is
   * asynchronous (an await on a value that is already there still costs a turn of the event loop).
   */
  prepare(request: AxesRequest, credentials: Credentials | null): Prepared | Promise<Prepared> {
    const o = this.#c.options
    const now = o.clock()
    if (!o.enabled || this.#c.handler.kind === 'dummy') {
      return {
        kind: 'final',
        decision: openDecision('disabled', emptyClient(request), o.failureLimit),
      }
    }
    const state = this.state(request)
    const rawIp = this.rawIp(request, state)
    const client = this.#c.identity.identify(request, credentials, rawIp)
    if (this.#policy.isExemptAsNonAdmin(request)) {
      return { kind: 'final', decision: openDecision('notAdminSite', client, o.failureLimit) }
    }
    const rule = this.#c.rules.rule(request, credentials)
    // A repeated or nested login field is refused, never half-read: what is counted is then
    // always what the password check receives.
    if (this.#c.identity.malformedField(request, credentials) !== null) {
      return {
        kind: 'final',
        decision: this.#uncounted('malformedCredentials', false, client, rule),
      }
    }
    // A body nothing parsed: its username is unknown, so nothing can be counted for it.
    if (request.bodyUnread === true) {
      this.#c.diagnostics.report('axes.W015', { type: contentTypeOf(request) })
      return { kind: 'final', decision: this.#uncounted('unreadBody', false, client, rule) }
    }
    if (this.#policy.isBlacklisted(rawIp)) {
      return {
        kind: 'final',
        decision: this.#uncounted('blacklisted', false, client, rule),
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
    this.#c.diagnostics.log('info', () =>
      logRecord(
        `AXES: Login from whitelisted client ${this.#report.clientString(client, request)}.`,
        'whitelisted',
        { reason: 'whitelisted', ...this.#report.fields(client) },
      ),
    )
    return {
      kind: 'final',
      decision: this.#uncounted('whitelisted', true, client, rule),
    }
  }

  #prepareCount(
    request: AxesRequest,
    credentials: Credentials | null,
    client: ClientIdentity,
    rule: LockoutRule,
    now: number,
  ): Prepared {
    const parameters = this.#c.rules.parameters(request, credentials)
    const buckets = bucketsFor(parameters, client)
    if (
      client.ipAddress === null &&
      this.#c.options.unknownClientIp === 'refuse' &&
      buckets.some((bucket) => 'ip_address' in bucket.fields)
    ) {
      throw new AxesError(
        'AXES_NO_CLIENT_IP',
        'client IP unknown: refused, not counted in one shared bucket (docs/errors.md#axes_no_client_ip)',
      )
    }
    if (buckets.length === 0) {
      this.#c.diagnostics.log('warn', () =>
        logRecord(
          'AXES: Username is None and username is the only one lockout parameter, new record will NOT be created.',
          'notRecorded',
          { reason: 'allowed', ...this.#report.fields(client, parameters) },
        ),
      )
      return {
        kind: 'final',
        decision: this.#uncounted('allowed', true, client, rule),
      }
    }
    const attempt = new LazyAttemptRecord(client, request, this.#c.sensitive, now)
    return {
      kind: 'count',
      client,
      buckets,
      rule,
      parameters,
      input: { buckets, rule, attempt, now },
    }
  }

  #uncounted(
    reason: DecisionReason,
    allowed: boolean,
    client: ClientIdentity,
    rule: LockoutRule,
  ): LockoutDecision {
    return uncountedDecision(reason, allowed, client, rule, this.#c.options.clock())
  }
}

// Inputs are built field by field: object spread on these hot paths costs microseconds in V8.

/** The handler input of a counted attempt at another instant. */
export function countInput(input: CountInput, now: number): CountInput {
  return { buckets: input.buckets, rule: input.rule, attempt: input.attempt, now }
}

/** The input of `settle` for a held reservation. */
export function settleInput(
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

/** The media type of a request's body, for messages: `application/json`, or `none given`. */
function contentTypeOf(request: AxesRequest): string {
  const header = request.headers['content-type']
  const value = (Array.isArray(header) ? header[0] : header) as string | undefined
  const type = value?.split(';')[0]?.trim().slice(0, 100)
  return type ? type.replace(/[^\x21-\x7e]/g, '?') : 'none given'
}

/** A counted attempt again at `now` (a reservation settled as a failure), field by field. */
export function countedAt(attempt: Counted, now: number): Counted {
  // Object spread on this path costs microseconds in V8.
  return {
    kind: attempt.kind,
    client: attempt.client,
    parameters: attempt.parameters,
    buckets: attempt.buckets,
    rule: attempt.rule,
    input: countInput(attempt.input, now),
    source: attempt.source,
    device: attempt.device,
    challenge: attempt.challenge,
  }
}
