/**
 * The conformance cases of spray detection's sources (ground/contract-sources.ts): distinct
 * usernames counted per source within the window, the lock at more than the limit (reported once,
 * by the failure that makes it), nothing added while locked, the lock lifting after its cool-off,
 * exactness under concurrency, and resets. A handler that is not shared and keeps no sources
 * (memory) is held through the in-process store spray detection keeps for it.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import { SourceBook } from '../core/spray-detection/sources.js'
import type { AxesHandler } from '../ground/contract.js'
import {
  SOURCE_METHODS,
  type SourceFailureInput,
  type SourceStore,
} from '../ground/contract-sources.js'
import type { ConformanceSuite } from './fixtures.js'

/** The source store spray detection uses with `handler`, or null when it has none. */
export function sourceStoreOf(handler: AxesHandler): SourceStore | null {
  if (SOURCE_METHODS.every((name) => typeof handler[name] === 'function')) {
    return handler as unknown as SourceStore
  }
  return handler.shared ? null : new SourceBook()
}

let sequence = 0

/** Registers the source cases. */
export function sourceCases(suite: ConformanceSuite): void {
  const { t0 } = suite
  const MINUTE = 60_000
  /** A source of its own for each case: stores may outlive one case. */
  const fresh = () => {
    sequence += 1
    return `10.${200 + (sequence % 50)}.${Math.floor(Math.random() * 250)}.${(sequence * 7) % 250}`
  }
  const store = (): SourceStore => {
    const found = sourceStoreOf(suite.handler)
    if (found === null) throw new Error('a shared handler without sources')
    return found
  }
  const note = (
    s: SourceStore,
    source: string,
    username: string,
    now: number,
    extra: Partial<SourceFailureInput> = {},
  ) =>
    s.noteSourceFailure({
      source,
      username: username.padStart(32, '0'),
      usernames: 3,
      windowMs: 10 * MINUTE,
      cooloffMs: 60 * MINUTE,
      now,
      ...extra,
    })

  describe('sources (spray detection)', () => {
    it('counts distinct usernames and locks the source past the limit, once', async () => {
      const s = store()
      const source = fresh()
      expect(await s.sourceLockedUntil(source, t0)).toBeNull()
      expect((await note(s, source, 'a1', t0)).usernames).toBe(1)
      expect((await note(s, source, 'a1', t0 + 1)).usernames).toBe(1)
      expect((await note(s, source, 'a2', t0 + 2)).usernames).toBe(2)
      expect(await note(s, source, 'a3', t0 + 3)).toEqual({
        usernames: 3,
        lockedUntil: null,
        lockedNow: false,
      })
      const locked = await note(s, source, 'a4', t0 + 4)
      expect(locked).toEqual({ usernames: 0, lockedUntil: t0 + 4 + 60 * MINUTE, lockedNow: true })
      expect(await s.sourceLockedUntil(source, t0 + 5)).toBe(t0 + 4 + 60 * MINUTE)
      // Locked: nothing is added, and the lock is not reported again.
      const again = await note(s, source, 'a5', t0 + 6)
      expect(again).toEqual({ usernames: 0, lockedUntil: t0 + 4 + 60 * MINUTE, lockedNow: false })
    })

    it('keeps sources apart', async () => {
      const s = store()
      const [one, two] = [fresh(), fresh()]
      for (const name of ['b1', 'b2', 'b3', 'b4']) await note(s, one, name, t0)
      expect(await s.sourceLockedUntil(one, t0)).not.toBeNull()
      expect(await s.sourceLockedUntil(two, t0)).toBeNull()
      expect((await note(s, two, 'b1', t0)).usernames).toBe(1)
    })

    it('forgets usernames past the window, and lifts the lock after its cool-off', async () => {
      const s = store()
      const source = fresh()
      await note(s, source, 'c1', t0)
      await note(s, source, 'c2', t0)
      expect((await note(s, source, 'c3', t0 + 10 * MINUTE)).usernames).toBe(1)
      for (const name of ['c4', 'c5', 'c6']) await note(s, source, name, t0 + 10 * MINUTE)
      const until = t0 + 70 * MINUTE
      expect(await s.sourceLockedUntil(source, until - 1)).toBe(until)
      expect(await s.sourceLockedUntil(source, until)).toBeNull()
      expect(await note(s, source, 'c7', until)).toEqual({
        usernames: 1,
        lockedUntil: null,
        lockedNow: false,
      })
    })

    it('locks exactly once under concurrency', async () => {
      const s = store()
      const source = fresh()
      const n = Math.min(suite.concurrency, 200)
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => note(s, source, `d${i}`, t0, { usernames: 10 })),
      )
      expect(results.filter((r) => r.lockedNow)).toHaveLength(1)
      expect(results.filter((r) => r.lockedUntil === null)).toHaveLength(10)
    })

    it('resets one source, or all of them', async () => {
      const s = store()
      const [one, two] = [fresh(), fresh()]
      for (const name of ['e1', 'e2', 'e3', 'e4']) await note(s, one, name, t0)
      await note(s, two, 'e1', t0)
      expect(await s.resetSources(one)).toBe(1)
      expect(await s.sourceLockedUntil(one, t0)).toBeNull()
      expect((await note(s, two, 'e2', t0)).usernames).toBe(2)
      expect(await s.resetSources(null)).toBeGreaterThanOrEqual(1)
      expect((await note(s, two, 'e3', t0)).usernames).toBe(1)
    })

    it('lists the locked sources: usernames seen, since and until', async () => {
      const s = store()
      const [one, two] = [fresh(), fresh()]
      const network = `2001:db8:${sequence}::/64`
      for (const name of ['f1', 'f2', 'f3', 'f4']) await note(s, one, name, t0 + 4)
      for (const name of ['f1', 'f2', 'f3', 'f4', 'f5'])
        await note(s, network, name, t0, { usernames: 4 })
      await note(s, two, 'f1', t0)
      const mine = async (now: number) =>
        (await s.listSourceLocks(now)).filter((l) => [one, two, network].includes(l.source))
      const until = t0 + 4 + 60 * MINUTE
      expect(await mine(t0 + 5)).toEqual([
        { source: one, usernames: 4, since: t0 + 4, until },
        { source: network, usernames: 5, since: t0, until: t0 + 60 * MINUTE },
      ])
      expect(await mine(until - 1)).toHaveLength(1)
      expect(await mine(until)).toEqual([])
    })

    it('forgets the sources of an IP when the handler resets its attempts', async (context) => {
      if (sourceStoreOf(suite.handler) !== (suite.handler as unknown)) {
        context.skip('sources kept by spray detection, not the handler: resetAndReport clears them')
      }
      const s = store()
      const [ip, other] = [fresh(), fresh()]
      const network = `2001:db8:${sequence}::/64`
      for (const source of [ip, other, network]) {
        for (const name of ['g1', 'g2', 'g3', 'g4']) await note(s, source, name, t0)
      }
      await suite.handler.resetAttempts({ username: 'nobody' })
      await suite.handler.resetAttempts({ ipAddress: ip, username: 'nobody' })
      expect(await s.sourceLockedUntil(ip, t0)).not.toBeNull()
      await suite.handler.resetAttempts({ ipAddress: ip })
      await suite.handler.resetAttempts({
        ipAddress: `2001:db8:${sequence}::7`,
        username: 'x',
        ipOrUsername: true,
      })
      expect(await s.sourceLockedUntil(ip, t0)).toBeNull()
      expect(await s.sourceLockedUntil(network, t0)).toBeNull()
      expect(await s.sourceLockedUntil(other, t0)).not.toBeNull()
    })
  })
}
