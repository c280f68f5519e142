/**
 * The conformance cases of counting: failures per bucket, locks at the limit, expiry by the
 * cool-off and the tiers, and bucket keys that keep clients apart and cannot collide.
 *
 * @module
 */

import { expect, it } from 'vitest'
import type { LockoutParameterItem } from '../ground/buckets.js'
import {
  type ConformanceClient,
  type ConformanceSuite,
  conformanceInput,
  TIERED_RULE,
} from './fixtures.js'

/** Registers the counting cases: failures, locks, expiry, tiers and bucket keys. */
export function countingCases(suite: ConformanceSuite): void {
  const { t0, fail } = suite
  it('starts empty: no failures, no lock', async () => {
    const state = await suite.handler.getFailures(conformanceInput({}, { now: t0 }))
    expect(state).toEqual({ failures: 0, lockedUntil: null })
  })

  it('counts failures and locks at the limit, until the cool-off after the last failure', async () => {
    const results = []
    for (let i = 0; i < 3; i++) results.push(await fail(conformanceInput({}, { now: t0 + i })))
    expect(results.map((r) => r.failures)).toEqual([1, 2, 3])
    expect(results[0]?.lockedUntil).toBeNull()
    expect(results[1]?.lockedUntil).toBeNull()
    expect(results[2]?.lockedUntil).toBe(t0 + 2 + 3_600_000)
    const later = await suite.handler.getFailures(conformanceInput({}, { now: t0 + 1000 }))
    expect(later).toEqual({ failures: 3, lockedUntil: t0 + 2 + 3_600_000 })
  })

  it('forgets failures once the cool-off has passed since the last one', async () => {
    const rule = { cooloffMs: 60_000 }
    await fail(conformanceInput({}, { rule, now: t0 }))
    await fail(conformanceInput({}, { rule, now: t0 + 30_000 }))
    const before = await suite.handler.getFailures(conformanceInput({}, { rule, now: t0 + 89_999 }))
    expect(before.failures).toBe(2)
    const after = await suite.handler.getFailures(conformanceInput({}, { rule, now: t0 + 90_000 }))
    expect(after.failures).toBe(0)
    const again = await fail(conformanceInput({}, { rule, now: t0 + 90_001 }))
    expect(again.failures).toBe(1)
  })

  it('locks until reset without a cool-off', async () => {
    const rule = { cooloffMs: null }
    for (let i = 0; i < 3; i++) await fail(conformanceInput({}, { rule, now: t0 }))
    const state = await suite.handler.getFailures(conformanceInput({}, { rule, now: t0 + 1e10 }))
    expect(state).toEqual({ failures: 3, lockedUntil: Number.POSITIVE_INFINITY })
  })

  it('honours lockout tiers: the lock lasts as long as the tier reached says', async () => {
    const rule = TIERED_RULE
    await fail(conformanceInput({}, { rule, now: t0 }))
    const second = await fail(conformanceInput({}, { rule, now: t0 + 1 }))
    expect(second).toEqual({ failures: 2, lockedUntil: t0 + 1 + 60_000 })
    await fail(conformanceInput({}, { rule, now: t0 + 2 }))
    const fourth = await fail(conformanceInput({}, { rule, now: t0 + 3 }))
    expect(fourth).toEqual({ failures: 4, lockedUntil: t0 + 3 + 600_000 })
    const past1 = await suite.handler.getFailures(
      conformanceInput({}, { rule, now: t0 + 3 + 60_001 }),
    )
    expect(past1.failures).toBe(4)
    const past2 = await suite.handler.getFailures(
      conformanceInput({}, { rule, now: t0 + 3 + 600_000 }),
    )
    expect(past2.failures).toBe(0)
  })

  it('climbs the tiers when a client comes back after a lock lifts', async () => {
    const rule = TIERED_RULE
    const at = (now: number) => conformanceInput({}, { rule, now })
    await fail(at(t0))
    expect(await fail(at(t0 + 1))).toEqual({ failures: 2, lockedUntil: t0 + 1 + 60_000 })
    // The first lock lifts; the failures are remembered (for the longest tier's cool-off).
    expect(await suite.handler.getFailures(at(t0 + 61_001))).toEqual({
      failures: 2,
      lockedUntil: null,
    })
    // One attempt at a time is let through, and its failure locks again.
    const first = await suite.handler.reserve(at(t0 + 61_002))
    expect(first.outcome).toBe('reserved')
    expect((await suite.handler.reserve(at(t0 + 61_002))).outcome).toBe('busy')
    const third = await suite.handler.settle({
      ...at(t0 + 61_003),
      reservation: first.reservation as string,
      outcome: 'failure',
    })
    expect(third).toEqual({ failures: 3, lockedUntil: t0 + 61_003 + 60_000 })
    const fourth = await fail(at(t0 + 200_000))
    expect(fourth).toEqual({ failures: 4, lockedUntil: t0 + 200_000 + 600_000 })
  })

  it('counts but never locks with lockOutAtFailure off', async () => {
    const rule = { lockOutAtFailure: false }
    for (let i = 0; i < 5; i++) await fail(conformanceInput({}, { rule, now: t0 }))
    expect(await suite.handler.getFailures(conformanceInput({}, { rule, now: t0 }))).toEqual({
      failures: 5,
      lockedUntil: null,
    })
    const reserved = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 }))
    expect(reserved.outcome).toBe('reserved')
  })

  it('keeps buckets apart: OR across items, AND inside an item, the largest bucket decides', async () => {
    const parameters: LockoutParameterItem[] = ['ip_address', ['username', 'ip_address']]
    const at = (client: ConformanceClient) => conformanceInput(client, { parameters, now: t0 })
    await fail(at({ username: 'alice', ipAddress: '10.0.0.1' }))
    await fail(at({ username: 'bob', ipAddress: '10.0.0.1' }))
    await fail(at({ username: 'alice', ipAddress: '10.0.0.2' }))
    expect(
      (await suite.handler.getFailures(at({ username: 'carol', ipAddress: '10.0.0.1' }))).failures,
    ).toBe(2)
    expect(
      (await suite.handler.getFailures(at({ username: 'alice', ipAddress: '10.0.0.2' }))).failures,
    ).toBe(1)
    expect(
      (await suite.handler.getFailures(at({ username: 'dave', ipAddress: '10.0.0.3' }))).failures,
    ).toBe(0)
  })

  it('never lets a username collide with an IP or a value with another split', async () => {
    const parameters: LockoutParameterItem[] = ['username', 'ip_address']
    for (let i = 0; i < 3; i++) {
      await fail(
        conformanceInput(
          { username: '10.1.1.1', ipAddress: `10.9.9.${i}` },
          { parameters, now: t0 },
        ),
      )
    }
    const victim = await suite.handler.getFailures(
      conformanceInput({ username: 'real-user', ipAddress: '10.1.1.1' }, { parameters, now: t0 }),
    )
    expect(victim).toEqual({ failures: 0, lockedUntil: null })
    const combo: LockoutParameterItem[] = [['username', 'ip_address']]
    await fail(
      conformanceInput({ username: '10', ipAddress: '1.1.1.1' }, { parameters: combo, now: t0 }),
    )
    const other = await suite.handler.getFailures(
      conformanceInput({ username: '', ipAddress: '101.1.1.1' }, { parameters: combo, now: t0 }),
    )
    expect(other.failures).toBe(0)
  })

  it('stores hostile values without confusing them: quotes, separators, NUL, emoji, 255 characters', async () => {
    const names = [
      'o\'brien"; --',
      'u5:x',
      'i9:10.0.0.1',
      'a\u0000b',
      '🔐'.repeat(100),
      'x'.repeat(255),
    ]
    for (const username of names) {
      await fail(conformanceInput({ username }, { parameters: ['username'], now: t0 }))
    }
    for (const username of names) {
      const state = await suite.handler.getFailures(
        conformanceInput({ username }, { parameters: ['username'], now: t0 }),
      )
      expect(state.failures, username).toBe(1)
    }
  })
}
