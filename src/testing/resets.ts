/**
 * The conformance cases of resets: by buckets, by `resetAttempts` filters, and of the logs.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import type { LockoutParameterItem } from '../ground/buckets.js'
import { capabilitiesOf, type ResetFilter } from '../ground/contract.js'
import { type ConformanceClient, type ConformanceSuite, conformanceInput } from './fixtures.js'

/** Registers the reset cases. */
export function resetCases(suite: ConformanceSuite): void {
  const { t0, fail } = suite
  it('resets the given buckets only', async () => {
    const parameters: LockoutParameterItem[] = [['username', 'ip_address']]
    await fail(conformanceInput({ username: 'alice' }, { parameters, now: t0 }))
    await fail(conformanceInput({ username: 'bob' }, { parameters, now: t0 }))
    const alice = conformanceInput({ username: 'alice' }, { parameters, now: t0 })
    expect(await suite.handler.resetBuckets(alice.buckets)).toBe(1)
    expect((await suite.handler.getFailures(alice)).failures).toBe(0)
    const bob = conformanceInput({ username: 'bob' }, { parameters, now: t0 })
    expect((await suite.handler.getFailures(bob)).failures).toBe(1)
  })

  describe('resetAttempts', () => {
    const parameters: LockoutParameterItem[] = [['username', 'ip_address']]
    const clients: ConformanceClient[] = [
      { username: 'user1', ipAddress: '10.1.1.1' },
      { username: 'user1', ipAddress: '10.2.2.2' },
      { username: 'user2', ipAddress: '10.1.1.1' },
      { username: 'user2', ipAddress: '10.2.2.2' },
      { username: 'user3', ipAddress: '10.3.3.3' },
    ]
    const remaining = async () => {
      let count = 0
      for (const client of clients) {
        const s = await suite.handler.getFailures(conformanceInput(client, { parameters, now: t0 }))
        if (s.failures > 0) count++
      }
      return count
    }
    const cases: [string, ResetFilter, number][] = [
      ['all', {}, 0],
      ['by username', { username: 'user1' }, 3],
      ['by IP', { ipAddress: '10.1.1.1' }, 3],
      ['by IP and username', { ipAddress: '10.1.1.1', username: 'user1' }, 4],
      ['by IP or username', { ipAddress: '10.1.1.1', username: 'user1', ipOrUsername: true }, 2],
      ['when nothing matches', { username: 'nobody' }, 5],
    ]
    for (const [title, filter, left] of cases) {
      it(title, async () => {
        for (const client of clients) await fail(conformanceInput(client, { parameters, now: t0 }))
        const removed = await suite.handler.resetAttempts(filter)
        expect(removed).toBe(5 - left)
        expect(await remaining()).toBe(left)
      })
    }
  })

  it('resets logs without failing, or declares that it keeps none', async () => {
    const { handler } = suite
    if (!capabilitiesOf(handler).logs) {
      expect(handler.supports?.logs ?? false).toBe(false)
      return
    }
    expect(await handler.resetLogs?.({ ageDays: 30 })).toBeGreaterThanOrEqual(0)
    expect(await handler.resetFailureLogs?.({})).toBeGreaterThanOrEqual(0)
  })
}
