/**
 * The memory handler's counting (src/handlers/memory/counting.ts) beyond the conformance suite: a
 * client whose buckets are locked until different times is locked until the later one, whichever
 * bucket comes first; the most failures of any bucket is the client's count.
 */
import { describe, expect, it } from 'vitest'
import type { LockoutParameterItem } from '../../../src/ground/buckets.js'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { conformanceInput } from '../../../src/testing/index.js'

const t0 = 1_700_000_000_000
// 3 failures lock for a minute, 5 for an hour.
const rule = {
  failureLimit: 3,
  recordLockedAttempts: false,
  cooloffMs: 60_000,
  tiers: [
    { failures: 3, cooloffMs: 60_000 },
    { failures: 5, cooloffMs: 3_600_000 },
  ],
}

describe('memory handler: counting', () => {
  // The username bucket gathers alice's failures from two IPs (5: an hour); the bucket of her
  // username with the second IP has 3 of them (a minute). In either order, the later lift wins.
  for (const parameters of [
    ['username', ['username', 'ip_address']],
    [['username', 'ip_address'], 'username'],
  ] as LockoutParameterItem[][]) {
    it(`locks until the later of two lifts (${JSON.stringify(parameters)})`, async () => {
      const handler = memoryHandler()
      const from = (ipAddress: string, now: number) =>
        conformanceInput({ username: 'alice', ipAddress }, { parameters, rule, now })
      for (let i = 0; i < 2; i++) await handler.recordFailure(from('10.0.0.1', t0))
      for (let i = 0; i < 3; i++) await handler.recordFailure(from('10.0.0.2', t0))
      const state = await handler.getFailures(from('10.0.0.2', t0 + 10))
      expect(state).toEqual({ failures: 5, lockedUntil: t0 + 3_600_000 })
      // After the short lock lifts, the long one still holds.
      expect((await handler.getFailures(from('10.0.0.2', t0 + 60_001))).lockedUntil).toBe(
        t0 + 3_600_000,
      )
      // The reservation is refused with the same lift time.
      expect(await handler.reserve(from('10.0.0.2', t0 + 10))).toMatchObject({
        outcome: 'locked',
        lockedUntil: t0 + 3_600_000,
      })
    })
  }

  it('a lock lifted but within the failure window: not locked, and the count still stands', async () => {
    const handler = memoryHandler()
    const input = (now: number) => conformanceInput({}, { rule, now })
    for (let i = 0; i < 3; i++) await handler.recordFailure(input(t0))
    expect(await handler.getFailures(input(t0 + 59_999))).toEqual({
      failures: 3,
      lockedUntil: t0 + 60_000,
    })
    expect(await handler.getFailures(input(t0 + 60_000))).toEqual({
      failures: 3,
      lockedUntil: null,
    })
    // One at a time after a lift: the next failure locks again, at the lowest tier still.
    expect((await handler.reserve(input(t0 + 60_000))).outcome).toBe('reserved')
    expect((await handler.reserve(input(t0 + 60_000))).outcome).toBe('busy')
    expect(await handler.recordFailure(input(t0 + 60_001))).toEqual({
      failures: 4,
      lockedUntil: t0 + 120_001,
    })
    // Forgotten an hour (the longest tier) after the last failure.
    expect(await handler.getFailures(input(t0 + 60_001 + 3_600_000))).toEqual({
      failures: 0,
      lockedUntil: null,
    })
  })

  it('a lock until reset lasts, and its bucket is listed with no expiry', async () => {
    const handler = memoryHandler()
    const input = (now: number) => conformanceInput({}, { rule: { cooloffMs: null }, now })
    for (let i = 0; i < 3; i++) await handler.recordFailure(input(t0))
    expect(await handler.getFailures(input(t0 + 1e12))).toEqual({
      failures: 3,
      lockedUntil: Number.POSITIVE_INFINITY,
    })
    expect(await handler.getAttempt('i8:10.0.0.1', { now: t0 + 1e12, rule: null })).toMatchObject({
      failures: 3,
      expiresAt: null,
      ipAddress: '10.0.0.1',
    })
  })
})
