/**
 * The lockout rule's arithmetic (src/ground/rule.ts), which every JavaScript handler applies: how
 * long a lock lasts (tiers), how long failures count, when a bucket's lock lifts, how many attempts
 * may be in flight, and the later of two lifts.
 */
import { describe, expect, it } from 'vitest'
import {
  activeLockUntil,
  attemptsLeft,
  bucketLockedUntil,
  currentFailures,
  failureWindowMs,
  type LockoutRule,
  laterLift,
  lockDurationMs,
} from '../../src/ground/rule.js'

const base: LockoutRule = {
  failureLimit: 3,
  cooloffMs: 1000,
  tiers: [],
  lockOutAtFailure: true,
  recordLockedAttempts: false,
  reservationTtlMs: 30_000,
}
const tiered: LockoutRule = {
  ...base,
  cooloffMs: null,
  tiers: [
    { failures: 3, cooloffMs: 60_000 },
    { failures: 5, cooloffMs: 600_000 },
    { failures: 8, cooloffMs: 30_000 },
  ],
}

describe('lockDurationMs', () => {
  it('is the cool-off without tiers (null: until reset)', () => {
    expect(lockDurationMs(base, 7)).toBe(1000)
    expect(lockDurationMs({ ...base, cooloffMs: null }, 7)).toBeNull()
  })

  it('is the highest tier reached, the first tier below it, from its count on', () => {
    expect(lockDurationMs(tiered, 1)).toBe(60_000)
    expect(lockDurationMs(tiered, 3)).toBe(60_000)
    expect(lockDurationMs(tiered, 4)).toBe(60_000)
    expect(lockDurationMs(tiered, 5)).toBe(600_000)
    expect(lockDurationMs(tiered, 7)).toBe(600_000)
    expect(lockDurationMs(tiered, 8)).toBe(30_000)
    expect(lockDurationMs(tiered, 100)).toBe(30_000)
  })
})

describe('failureWindowMs', () => {
  it('is the cool-off without tiers, else the longest of it and every tier', () => {
    expect(failureWindowMs(base)).toBe(1000)
    expect(failureWindowMs({ ...base, cooloffMs: null })).toBeNull()
    expect(failureWindowMs(tiered)).toBe(600_000)
    expect(failureWindowMs({ ...tiered, cooloffMs: 900_000 })).toBe(900_000)
    expect(failureWindowMs({ ...tiered, cooloffMs: 600_000 })).toBe(600_000)
  })
})

describe('currentFailures', () => {
  it('counts failures until the window has passed since the last one', () => {
    expect(currentFailures(base, 2, 5000, 5999)).toBe(2)
    expect(currentFailures(base, 2, 5000, 6000)).toBe(0)
    expect(currentFailures(base, 0, 5000, 5000)).toBe(0)
    expect(currentFailures(base, -1, 5000, 5000)).toBe(0)
    expect(currentFailures({ ...base, cooloffMs: null }, 2, 5000, 1e15)).toBe(2)
  })
})

describe('bucketLockedUntil / activeLockUntil', () => {
  it('locks from the limit on, for the lock duration after the last failure', () => {
    expect(bucketLockedUntil(base, 2, 5000)).toBeNull()
    expect(bucketLockedUntil(base, 3, 5000)).toBe(6000)
    expect(bucketLockedUntil(base, 9, 5000)).toBe(6000)
    expect(bucketLockedUntil(tiered, 5, 5000)).toBe(605_000)
  })

  it('never locks with lockOutAtFailure off; locks until reset without a cool-off', () => {
    expect(bucketLockedUntil({ ...base, lockOutAtFailure: false }, 9, 5000)).toBeNull()
    expect(bucketLockedUntil({ ...base, cooloffMs: null }, 3, 5000)).toBe(Number.POSITIVE_INFINITY)
  })

  it('a lock is active until its lift time, not at it', () => {
    expect(activeLockUntil(base, 3, 5000, 5999)).toBe(6000)
    expect(activeLockUntil(base, 3, 5000, 6000)).toBeNull()
    expect(activeLockUntil(base, 2, 5000, 5000)).toBeNull()
    expect(activeLockUntil({ ...base, cooloffMs: null }, 3, 5000, 1e15)).toBe(
      Number.POSITIVE_INFINITY,
    )
  })
})

describe('attemptsLeft', () => {
  it('is the failures left before the limit, or one at a time past it', () => {
    expect(attemptsLeft(base, 0)).toBe(3)
    expect(attemptsLeft(base, 2)).toBe(1)
    expect(attemptsLeft(base, 3)).toBe(1)
    expect(attemptsLeft(base, 10)).toBe(1)
  })
})

describe('laterLift', () => {
  it('is the later of two lift times, null meaning not locked, in either order', () => {
    expect(laterLift(null, null)).toBeNull()
    expect(laterLift(null, 5)).toBe(5)
    expect(laterLift(5, null)).toBe(5)
    expect(laterLift(5, 9)).toBe(9)
    expect(laterLift(9, 5)).toBe(9)
    expect(laterLift(5, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
  })
})
