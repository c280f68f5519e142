/**
 * Rules: what the options say for one request: the lockout parameters (its buckets) and the
 * lockout rule (limit, cool-off, tiers, flags) that a handler applies. Options that are functions
 * of the request are called here, and what they return is checked.
 */

import type { LockoutParameterItem } from '../ground/buckets.js'
import { lockoutParameterProblems } from '../ground/buckets.js'
import { AxesCallableError } from '../ground/errors.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import { parseDuration } from './durations.js'
import type { ResolvedOptions } from './options.js'

/** Resolves the lockout parameters and the rule of each request from an instance's options. */
export class RuleBook {
  readonly #options: Readonly<ResolvedOptions>
  /** The rule when neither the limit nor the cool-off depends on the request. */
  #staticRule: LockoutRule | null = null

  constructor(options: Readonly<ResolvedOptions>) {
    this.#options = options
  }

  /** Whether the rule is the same for every request (no function for the limit or the cool-off). */
  get isStatic(): boolean {
    const o = this.#options
    return typeof o.failureLimit !== 'function' && typeof o.cooloffTime !== 'function'
  }

  /**
   * The rule in force when it does not depend on the request; null otherwise (listings then
   * cannot say which stored attempts are locked out).
   */
  listingRule(): LockoutRule | null {
    return this.isStatic ? this.rule({} as AxesRequest, null) : null
  }

  /** The lockout parameters of this request (`lockoutParameters`, called when a function). */
  parameters(
    request: AxesRequest,
    credentials: Credentials | null,
  ): readonly LockoutParameterItem[] {
    const params = this.#options.lockoutParameters
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

  /** The rule in force for this request. */
  rule(request: AxesRequest, credentials: Credentials | null): LockoutRule {
    if (this.#staticRule) return this.#staticRule
    const o = this.#options
    const rule: LockoutRule = {
      failureLimit: this.#failureLimit(request, credentials),
      cooloffMs: this.#cooloffMs(request),
      tiers: o.lockoutTiers,
      lockOutAtFailure: o.lockOutAtFailure,
      recordLockedAttempts: o.resetCoolOffOnFailureDuringLockout,
      reservationTtlMs: o.reservationTimeoutMs,
    }
    if (this.isStatic) this.#staticRule = Object.freeze(rule)
    return rule
  }

  #failureLimit(request: AxesRequest, credentials: Credentials | null): number {
    const o = this.#options
    // Stryker disable next-line OptionalChaining: the length test above makes lockoutTiers[0] defined
    if (o.lockoutTiers.length > 0) return o.lockoutTiers[0]?.failures ?? 1
    if (typeof o.failureLimit !== 'function') return o.failureLimit
    let value: unknown
    try {
      value = o.failureLimit(request, credentials)
    } catch (error) {
      throw new AxesCallableError('failureLimit', error)
    }
    // Number.isInteger is false for anything but a number.
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new AxesCallableError(
        'failureLimit',
        new TypeError(`it returned ${String(value)}; a whole number of at least 1 is needed`),
      )
    }
    return value as number
  }

  #cooloffMs(request: AxesRequest): number | null {
    const o = this.#options
    if (typeof o.cooloffTime !== 'function') return o.cooloffTime
    let value: unknown
    try {
      value = o.cooloffTime(request)
    } catch (error) {
      throw new AxesCallableError('cooloffTime', error)
    }
    if (value === null || value === undefined) return null
    const parsed = parseDuration(value)
    if (!parsed.ok) throw new AxesCallableError('cooloffTime', new TypeError(parsed.reason))
    return parsed.ms
  }
}
