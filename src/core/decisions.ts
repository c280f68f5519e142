/**
 * Decisions: the `LockoutDecision` an attempt is answered with, built from named facts (what was
 * decided, for whom, under which rule, with how many failures and until when).
 */

import type { CountResult } from '../ground/contract.js'
import type { AxesRequest, ClientIdentity } from '../ground/request.js'
import type { LockoutRule } from '../ground/rule.js'
import { attemptsLeft, lockDurationMs } from '../ground/rule.js'
import { UNKNOWN } from './identity.js'
import type { DecisionReason, LockoutDecision, ResolvedTier } from './types.js'

/**
 * The decision for a counted attempt from the handler's answer: locked out when a bucket is
 * locked, allowed otherwise; marked `trustedDevice` when counted in a trusted device's bucket and
 * `challenge: 'passed'` when it carried a challenge that passed.
 */
export function countDecision(
  counted: {
    readonly client: ClientIdentity
    readonly rule: LockoutRule
    readonly device?: string | null
    readonly challenge?: 'passed'
  },
  result: CountResult,
  recorded: boolean,
  now: number,
): LockoutDecision {
  const locked = result.lockedUntil !== null
  const decision = decide(
    {
      reason: locked ? 'lockedOut' : 'allowed',
      allowed: !locked,
      client: counted.client,
      rule: counted.rule,
      failures: result.failures,
      lockedUntil: result.lockedUntil,
      recorded,
    },
    now,
  )
  if (counted.device) decision.trustedDevice = true
  if (counted.challenge) decision.challenge = counted.challenge
  return decision
}

/** The facts a counted decision is built from. */
export interface DecisionFacts {
  /** Why the attempt is answered as it is. */
  readonly reason: DecisionReason
  /** Whether the attempt may go on to the password check. */
  readonly allowed: boolean
  /** The client as identified. */
  readonly client: ClientIdentity
  /** The rule in force for the request. */
  readonly rule: LockoutRule
  /** The client's current failures (the largest over its buckets). */
  readonly failures: number
  /** When the lock lifts (ms since the epoch, `Infinity` until reset), or null when not locked. */
  readonly lockedUntil: number | null
  /** Whether this request's attempt was stored. */
  readonly recorded: boolean
}

/** The decision for `facts` at `now`. */
export function decide(facts: DecisionFacts, now: number): LockoutDecision {
  const { reason, allowed, rule, failures, lockedUntil } = facts
  const finite = lockedUntil !== null && Number.isFinite(lockedUntil)
  return {
    allowed,
    reason,
    lockedOut: reason === 'lockedOut' || reason === 'sourceLocked',
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
    tier: tierFor(rule, failures),
    recorded: facts.recorded,
    client: facts.client,
  }
}

/**
 * The decision for an attempt answered before any count (deny list, allow list, no bucket to
 * count, a store that failed): no failures, no lock, nothing recorded.
 */
export function uncountedDecision(
  reason: DecisionReason,
  allowed: boolean,
  client: ClientIdentity,
  rule: LockoutRule,
  now: number,
): LockoutDecision {
  return decide(
    { reason, allowed, client, rule, failures: 0, lockedUntil: null, recorded: false },
    now,
  )
}

/**
 * The decision of an attempt that nothing counts (node-axes disabled, the dummy handler, a path
 * outside the admin site with `onlyAdminSite`): allowed, with the configured limit when it is a
 * number.
 */
export function openDecision(
  reason: DecisionReason,
  client: ClientIdentity,
  failureLimit: unknown,
): LockoutDecision {
  const limit = typeof failureLimit === 'number' ? failureLimit : 0
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

/** The highest lockout tier `failures` reach under `rule`, or null. */
export function tierFor(rule: LockoutRule, failures: number): ResolvedTier | null {
  let found: ResolvedTier | null = null
  for (const tier of rule.tiers) {
    if (tier.failures <= failures) found = { failures: tier.failures, cooloffMs: tier.cooloffMs }
    else break
  }
  return found
}

/** The identity of a request node-axes does not look into (nothing is counted for it). */
export function emptyClient(request: AxesRequest): ClientIdentity {
  return {
    ipAddress: null,
    username: null,
    userAgent: UNKNOWN,
    pathInfo: typeof request.path === 'string' ? request.path.slice(0, 255) : UNKNOWN,
    httpAccept: UNKNOWN,
  }
}
