/**
 * Pure helpers that every JavaScript handler uses to apply a `LockoutRule` the same way. (The Redis
 * handler's Lua script implements the same arithmetic.)
 */

import type { LockoutRule } from './contract.js'

/**
 * How long a bucket's failures count after its last failure, given how many it has: with tiers,
 * the cool-off of the highest tier reached (below the first tier, `cooloffMs`, or the first tier's
 * cool-off when `cooloffMs` is null); without tiers, `cooloffMs`. Null means forever.
 */
export function bucketWindowMs(rule: LockoutRule, failures: number): number | null {
  const tiers = rule.tiers
  if (tiers.length === 0) return rule.cooloffMs
  let window: number | null = null
  for (const tier of tiers) {
    if (tier.failures <= failures) window = tier.cooloffMs
    else break
  }
  if (window !== null) return window
  return rule.cooloffMs ?? tiers[0]?.cooloffMs ?? null
}

/**
 * A bucket's failures as they count now: 0 once `now` has reached its last failure plus its window.
 */
export function currentFailures(
  rule: LockoutRule,
  failures: number,
  lastFailureAt: number,
  now: number,
): number {
  if (failures <= 0) return 0
  const window = bucketWindowMs(rule, failures)
  if (window !== null && now >= lastFailureAt + window) return 0
  return failures
}

/**
 * When a bucket's lock lifts (ms since the epoch), `Infinity` for a lock until reset, or null when
 * the bucket is not locked. `failures` must already be current (see `currentFailures`).
 */
export function bucketLockedUntil(
  rule: LockoutRule,
  failures: number,
  lastFailureAt: number,
): number | null {
  if (!rule.lockOutAtFailure || failures < rule.failureLimit) return null
  const window = bucketWindowMs(rule, failures)
  return window === null ? Number.POSITIVE_INFINITY : lastFailureAt + window
}

/** The later of two lift times, where null means "not locked". */
export function laterLift(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return a > b ? a : b
}
