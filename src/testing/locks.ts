/**
 * The conformance cases of the lock listing (`listLocks`, capability `locks`, or the locked
 * buckets of a `snapshotBuckets`, capability `buckets`) and of unlocking (what `unlock` does:
 * `resetBuckets` of the lock's bucket): each case runs only when the handler can list its locks.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import { listLocksOf } from '../core/locks.js'
import { decodeBucketKey, type LockoutParameterItem } from '../ground/buckets.js'
import type { ActiveLock } from '../ground/contract-locks.js'
import {
  CONFORMANCE_RULE,
  type ConformanceClient,
  type ConformanceSuite,
  conformanceInput,
} from './fixtures.js'

/** Registers the lock cases, each skipped when the handler has neither `listLocks` nor `snapshotBuckets`. */
export function lockCases(suite: ConformanceSuite): void {
  const { t0, fail } = suite
  const pair: LockoutParameterItem[] = [['username', 'ip_address']]
  const can = () =>
    typeof suite.handler.listLocks === 'function' ||
    typeof suite.handler.snapshotBuckets === 'function'
  const listAt = (now: number, parameters: readonly LockoutParameterItem[]) =>
    listLocksOf(suite.handler, { now, rule: CONFORMANCE_RULE, parameters })
  const failAs = async (
    client: ConformanceClient,
    parameters: readonly LockoutParameterItem[],
    now: number,
  ) => fail(conformanceInput(client, { parameters, now }))
  const unlock = (lock: ActiveLock) => {
    const fields = decodeBucketKey(lock.id)
    expect(fields).not.toBeNull()
    return suite.handler.resetBuckets([{ key: lock.id, fields: fields ?? {} }])
  }

  describe('locks in force, when it can list them', () => {
    it('lists a username-and-IP lock from two user agents as one lock, and one unlock lifts it', async () => {
      if (!can()) return
      const alice = { username: 'alice', ipAddress: '10.0.0.1' }
      await failAs({ ...alice, userAgent: 'Firefox' }, pair, t0)
      await failAs({ ...alice, userAgent: 'Firefox' }, pair, t0 + 1)
      await failAs({ ...alice, userAgent: 'curl/8' }, pair, t0 + 2)
      await failAs({ username: 'bob', ipAddress: '10.0.0.1' }, pair, t0 + 3)
      const locks = await listAt(t0 + 10, pair)
      expect(locks).toHaveLength(1)
      const lock = locks[0] as ActiveLock
      expect(lock.kind).toBe('pair')
      expect(lock.fields).toEqual({ ip_address: '10.0.0.1', username: 'alice' })
      expect(lock.failures).toBe(3)
      expect(lock.since.getTime()).toBe(t0 + 2)
      expect(lock.until).toBe(t0 + 2 + (CONFORMANCE_RULE.cooloffMs ?? 0))
      expect(lock.sources.reduce((sum, s) => sum + s.failures, 0)).toBe(3)
      for (const s of lock.sources) {
        expect(s.ipAddress).toBe('10.0.0.1')
        expect(s.username).toBe('alice')
      }
      const input = conformanceInput({ ...alice, userAgent: 'Safari' }, { parameters: pair })
      const at = { ...input, now: t0 + 10 }
      expect((await suite.handler.getFailures(at)).lockedUntil).not.toBeNull()
      expect(await unlock(lock)).toBeGreaterThan(0)
      expect((await suite.handler.getFailures(at)).lockedUntil).toBeNull()
      expect((await suite.handler.getFailures(at)).failures).toBe(0)
      expect(await listAt(t0 + 10, pair)).toEqual([])
      // bob's failures, which lock nothing, are still there.
      const bob = conformanceInput({ username: 'bob', ipAddress: '10.0.0.1' }, { parameters: pair })
      expect((await suite.handler.getFailures({ ...bob, now: t0 + 10 })).failures).toBe(1)
    })

    it('lists only the locked buckets, and unlocking one lifts it alone', async () => {
      if (!can()) return
      const parameters: LockoutParameterItem[] = ['ip_address', ['username', 'ip_address']]
      for (const [i, username] of ['ann', 'ben', 'cat'].entries()) {
        await failAs({ username, ipAddress: '10.0.0.9' }, parameters, t0 + i)
      }
      const locks = await listAt(t0 + 10, parameters)
      expect(locks.map((l) => [l.kind, l.fields])).toEqual([['ip', { ip_address: '10.0.0.9' }]])
      expect(locks[0]?.failures).toBe(3)
      await unlock(locks[0] as ActiveLock)
      expect(await listAt(t0 + 10, parameters)).toEqual([])
      const ann = conformanceInput({ username: 'ann', ipAddress: '10.0.0.9' }, { parameters })
      // A bucket store keeps ann's pair (1 failure); a row store's rows counted toward the IP
      // and went with it.
      const state = await suite.handler.getFailures({ ...ann, now: t0 + 10 })
      expect(state.lockedUntil).toBeNull()
      expect(state.failures).toBeLessThanOrEqual(1)
    })

    it('lists no lock below the limit nor once it has lifted, the latest lift first', async () => {
      if (!can()) return
      const ips = ['10.0.0.1', '10.0.0.2']
      for (const [i, ipAddress] of ips.entries()) {
        for (let n = 0; n < 3; n++) await failAs({ ipAddress }, ['ip_address'], t0 + i * 100 + n)
      }
      await failAs({ ipAddress: '10.0.0.3' }, ['ip_address'], t0)
      const locks = await listAt(t0 + 500, ['ip_address'])
      expect(locks.map((l) => l.fields.ip_address)).toEqual(['10.0.0.2', '10.0.0.1'])
      expect(locks.map((l) => l.kind)).toEqual(['ip', 'ip'])
      const cooloff = CONFORMANCE_RULE.cooloffMs ?? 0
      expect(await listAt(t0 + 102 + cooloff, ['ip_address'])).toEqual([])
    })
  })
}
