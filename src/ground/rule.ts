/**
 * Pure helpers that every JavaScript handler uses to apply a `LockoutRule` the same way. (The Redis
 * handler's Lua script implements the same arithmetic.)
 *
 * Two durations matter. The lock duration is how long a lock lasts after the bucket's last failure:
 * `cooloffMs`, or with tiers the cool-off of the highest tier reached. The failure window is how
 * long failures are remembered after the last one: `cooloffMs`, or with tiers at least the longest
 * tier's cool-off, so that a client who comes back after a lock lifts climbs to the next tier
 * instead of starting over.
 */

/** A lockout tier: from `failures` failures on, a lock lasts `cooloffMs`. */
export interface RuleTier {
  readonly failures: number
  readonly cooloffMs: number
}

/**
 * The rule in force for one request, resolved by the core. Handlers apply it; they never read
 * options themselves.
 */
export interface LockoutRule {
  /** A bucket is locked when its failures reach this (`>=`). With tiers, the lowest tier's count. */
  readonly failureLimit: number
  /**
   * How long failures count after the bucket's most recent failure, and (without tiers) how long a
   * lock lasts; null means failures never expire and a lock lasts until reset.
   */
  readonly cooloffMs: number | null
  /**
   * Lockout tiers, ascending by `failures`; empty without tiers. A lock lasts the cool-off of the
   * highest tier reached (`lockDurationMs`); failures are remembered for the longest of
   * `cooloffMs` and the tiers' cool-offs (`failureWindowMs`).
   */
  readonly tiers: readonly RuleTier[]
  /** django-axes' `AXES_LOCK_OUT_AT_FAILURE`: when false, nothing is ever locked (failures still count). */
  readonly lockOutAtFailure: boolean
  /**
   * django-axes' `AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`: when true, an attempt refused
   * because of a lockout is itself recorded as a failure (count + 1, cool-off restarted).
   */
  readonly recordLockedAttempts: boolean
  /** How long an unsettled reservation holds its place before the handler may drop it. */
  readonly reservationTtlMs: number
}

/**
 * How long a lock lasts after the last failure for a bucket with `failures` failures: with tiers,
 * the cool-off of the highest tier reached (the first tier's below it); without, `cooloffMs`.
 * Null means until reset.
 */
export function lockDurationMs(rule: LockoutRule, failures: number): number | null {
  const tiers = rule.tiers
  if (tiers.length === 0) return rule.cooloffMs
  // Stryker disable next-line OptionalChaining: the length test above makes tiers[0] defined
  let duration = tiers[0]?.cooloffMs ?? null
  for (const tier of tiers) {
    if (tier.failures <= failures) duration = tier.cooloffMs
    else break
  }
  return duration
}

/**
 * How long failures are remembered after the last one: `cooloffMs`; with tiers, the longest of
 * `cooloffMs` and every tier's cool-off. Null means forever.
 */
export function failureWindowMs(rule: LockoutRule): number | null {
  if (rule.tiers.length === 0) return rule.cooloffMs
  let window = rule.cooloffMs ?? 0
  for (const tier of rule.tiers) window = Math.max(window, tier.cooloffMs)
  return window
}

/**
 * A bucket's failures as they count now: 0 once `now` has reached its last failure plus the
 * failure window.
 */
export function currentFailures(
  rule: LockoutRule,
  failures: number,
  lastFailureAt: number,
  now: number,
): number {
  // Stryker disable next-line EqualityOperator: 0 failures give 0 on either path
  if (failures <= 0) return 0
  const window = failureWindowMs(rule)
  if (window !== null && now >= lastFailureAt + window) return 0
  return failures
}

/**
 * When a bucket's lock lifts (ms since the epoch), `Infinity` for a lock until reset, or null when
 * the bucket is not locked at all. `failures` must already be current (see `currentFailures`); a
 * lift time in the past means the lock has lifted.
 */
export function bucketLockedUntil(
  rule: LockoutRule,
  failures: number,
  lastFailureAt: number,
): number | null {
  if (!rule.lockOutAtFailure || failures < rule.failureLimit) return null
  const duration = lockDurationMs(rule, failures)
  return duration === null ? Number.POSITIVE_INFINITY : lastFailureAt + duration
}

/**
 * The lift time of a bucket that is locked now: `bucketLockedUntil`, but null once it has passed.
 */
export function activeLockUntil(
  rule: LockoutRule,
  failures: number,
  lastFailureAt: number,
  now: number,
): number | null {
  const until = bucketLockedUntil(rule, failures, lastFailureAt)
  // Stryker disable next-line ConditionalExpression: null > now is false, as the null test says
  return until !== null && until > now ? until : null
}

/**
 * How many attempts a bucket that is not locked may have in flight: the failures left before the
 * limit, or one at a time once its failures are past the limit and its lock has lifted (tiers
 * remember failures longer than a lock lasts; the next failure locks again, at the next tier).
 */
export function attemptsLeft(rule: LockoutRule, failures: number): number {
  return failures >= rule.failureLimit ? 1 : rule.failureLimit - failures
}

/** The later of two lift times, where null means "not locked". */
export function laterLift(a: number | null, b: number | null): number | null {
  // Lift times are positive and null compares as 0, so the two null tests only spare the
  // comparison a coercion: dropping either answers the same.
  // Stryker disable next-line ConditionalExpression: equivalent (see above)
  if (a === null) return b
  // Stryker disable next-line ConditionalExpression: equivalent (see above)
  if (b === null) return a
  return Math.max(a, b)
}
