/**
 * The conformance cases of the lock cache (`withLockCache`) over the handler under test: a flood of
 * a locked client costs the store one call a second at most, a lock made elsewhere is honoured at
 * once, a reset made elsewhere within `maxStaleMs` (and one made through the cache at once), the
 * tiers are climbed as without it, and its memory stays within its budget. "Elsewhere" is the
 * handler itself, or the second handler on the same store that `sameStore` opens (as another
 * process would); the cache's clock is a counter the cases move, so nothing here waits.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import type { AxesHandler, CountInput } from '../ground/contract.js'
import { lockCacheOf, withLockCache } from '../handlers/lock-cache/index.js'
import {
  type ConformanceClient,
  type ConformanceSuite,
  conformanceInput,
  TIERED_RULE,
} from './fixtures.js'

/** A handler that counts the calls made to `handler`'s counting methods. */
function counted(handler: AxesHandler): { store: AxesHandler; calls: () => number } {
  let calls = 0
  const count = <A extends unknown[], R>(fn: (...args: A) => R) => {
    return (...args: A): R => {
      calls++
      return fn(...args)
    }
  }
  const store: AxesHandler = {
    name: handler.name,
    kind: handler.kind,
    shared: handler.shared,
    getFailures: count((input) => handler.getFailures(input)),
    reserve: count((input) => handler.reserve(input)),
    settle: count((input) => handler.settle(input)),
    recordFailure: count((input) => handler.recordFailure(input)),
    resetBuckets: count((buckets) => handler.resetBuckets(buckets)),
    resetAttempts: count((filter) => handler.resetAttempts(filter)),
  }
  return { store, calls: () => calls }
}

/** Registers the lock cache's cases. */
export function lockCacheCases(suite: ConformanceSuite): void {
  const { t0 } = suite
  const at = (now: number, client: ConformanceClient = {}): CountInput =>
    conformanceInput(client, { now })
  /** Locks a client through `store` (elsewhere, for the cache under test). */
  const lock = async (store: AxesHandler, client: ConformanceClient = {}) => {
    for (let i = 0; i < 3; i++) await store.recordFailure(at(t0, client))
  }

  describe('through the lock cache', () => {
    it('answers a flood of a locked client from memory, with one store call a second', async () => {
      const other = await suite.sameStore()
      const { store, calls } = counted(other)
      let clock = 0
      const cached = withLockCache(store, { clock: () => clock })
      await lock(other)
      for (let i = 0; i < 400; i++) {
        clock = i * 5 // two seconds of attempts
        const answer = await cached.reserve(at(t0 + 10 + i))
        expect(answer).toMatchObject({ outcome: 'locked', reservation: null })
      }
      expect(calls()).toBe(2)
      // The two that reached the store were recorded there (recordLockedAttempts); the rest not.
      expect((await other.getFailures(at(t0 + 500))).failures).toBe(5)
      expect((await cached.getFailures(at(t0 + 500))).lockedUntil).not.toBeNull()
      expect(calls()).toBe(2)
    })

    it('never lets through what the store refuses: a lock made elsewhere counts at once', async () => {
      const other = await suite.sameStore()
      const cached = withLockCache(other, { clock: () => 0 })
      const first = await cached.reserve(at(t0))
      expect(first.outcome).toBe('reserved')
      await cached.settle({
        ...at(t0),
        reservation: first.reservation as string,
        outcome: 'cancel',
      })
      await lock(other)
      expect((await cached.reserve(at(t0 + 1))).outcome).toBe('locked')
      expect((await cached.getFailures(at(t0 + 1))).lockedUntil).not.toBeNull()
      expect((await cached.recordFailure(at(t0 + 1))).lockedUntil).not.toBeNull()
    })

    it('honours a reset made elsewhere within maxStaleMs, one made through it at once', async () => {
      const other = await suite.sameStore()
      let clock = 0
      const cached = withLockCache(other, { clock: () => clock, maxStaleMs: 1000 })
      await lock(other)
      expect((await cached.reserve(at(t0 + 1))).outcome).toBe('locked')
      await other.resetAttempts({})
      clock = 999
      expect((await cached.reserve(at(t0 + 2))).outcome).toBe('locked')
      clock = 1000
      const after = await cached.reserve(at(t0 + 3))
      expect(after.outcome).toBe('reserved')
      await cached.settle({
        ...at(t0 + 3),
        reservation: after.reservation as string,
        outcome: 'cancel',
      })
      await lock(other)
      expect((await cached.reserve(at(t0 + 4))).outcome).toBe('locked')
      await cached.resetBuckets(at(t0).buckets)
      expect((await cached.getFailures(at(t0 + 5))).lockedUntil).toBeNull()
    })

    it('asks the store once for a stale lock, however many attempts arrive at once', async () => {
      const other = await suite.sameStore()
      const { store, calls } = counted(other)
      let clock = 0
      const cached = withLockCache(store, { clock: () => clock })
      await lock(other)
      expect((await cached.reserve(at(t0 + 1))).outcome).toBe('locked')
      clock = 1000
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => cached.reserve(at(t0 + 2 + i))),
      )
      expect(answers.every((answer) => answer.outcome === 'locked')).toBe(true)
      expect(calls()).toBe(2)
    })

    it('lets the lock lift when the store says, and follows a change of rule', async () => {
      const other = await suite.sameStore()
      const cached = withLockCache(other, { clock: () => 0 })
      await lock(other)
      const locked = await cached.getFailures(at(t0 + 1))
      expect(locked.lockedUntil).toBe(t0 + 3_600_000)
      expect((await cached.getFailures(at(t0 + 3_600_000))).lockedUntil).toBeNull()
      const looser = conformanceInput({}, { now: t0 + 2, rule: { failureLimit: 10 } })
      expect((await cached.reserve(looser)).outcome).toBe('reserved')
    })

    it('climbs the lockout tiers with every refused attempt, as without it', async () => {
      const other = await suite.sameStore()
      const cached = withLockCache(other, { clock: () => 0 })
      const tiered = (now: number) => conformanceInput({}, { rule: TIERED_RULE, now })
      await cached.recordFailure(tiered(t0))
      expect((await cached.recordFailure(tiered(t0 + 1))).lockedUntil).toBe(t0 + 1 + 60_000)
      await cached.recordFailure(tiered(t0 + 2))
      const top = await cached.recordFailure(tiered(t0 + 3))
      expect(top).toEqual({ failures: 4, lockedUntil: t0 + 3 + 600_000 })
      expect((await other.getFailures(tiered(t0 + 4))).failures).toBe(4)
    })

    it('keeps its memory within maxBytes and stays exact past it', async () => {
      const other = await suite.sameStore()
      const cached = withLockCache(other, { clock: () => 0, maxBytes: 2000 })
      const clients = Array.from({ length: 20 }, (_, i) => ({ ipAddress: `10.9.0.${i}` }))
      for (const client of clients) await lock(other, client)
      for (const client of clients) {
        expect((await cached.reserve(at(t0 + 1, client))).outcome).toBe('locked')
      }
      const cache = lockCacheOf(cached)
      expect(cache?.bytes).toBeLessThanOrEqual(2000)
      expect(cache?.size).toBeLessThan(clients.length)
      for (const client of clients) {
        expect((await cached.getFailures(at(t0 + 2, client))).lockedUntil).not.toBeNull()
      }
    })
  })
}
