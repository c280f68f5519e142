/**
 * The conformance cases of repeated wrong passwords (ground/contract-passwords.ts): a hash noted
 * once is a repeat until its bucket's window runs out (counting from the bucket's last new hash),
 * different hashes are each new, a bucket keeps at most `keep`, a repeat in any bucket writes
 * nothing, exactly one of many parallel notes of one hash is new, and resets. A handler that is not
 * shared and keeps none (memory) is held through the in-process book repeat passwords keeps for it.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import { PasswordBook } from '../core/repeat-passwords/book.js'
import { encodeBucketKey } from '../ground/buckets.js'
import type { AxesHandler } from '../ground/contract.js'
import {
  WRONG_PASSWORD_METHODS,
  type WrongPasswordInput,
  type WrongPasswordStore,
} from '../ground/contract-passwords.js'
import type { ConformanceSuite } from './fixtures.js'

/** The wrong-password store repeat passwords uses with `handler`, or null when it has none. */
export function wrongPasswordStoreOf(handler: AxesHandler): WrongPasswordStore | null {
  if (WRONG_PASSWORD_METHODS.every((name) => typeof handler[name] === 'function')) {
    return handler as unknown as WrongPasswordStore
  }
  return handler.shared ? null : new PasswordBook()
}

let sequence = 0

/** Registers the wrong-password cases. */
export function wrongPasswordCases(suite: ConformanceSuite): void {
  const { t0 } = suite
  const MINUTE = 60_000
  /** An IP of its own for each case (stores may outlive one case), and buckets under it. */
  const fresh = () => {
    sequence += 1
    const ip = `10.${100 + (sequence % 50)}.${Math.floor(Math.random() * 250)}.${(sequence * 7) % 250}`
    return {
      ip: encodeBucketKey({ ip_address: ip }),
      pair: encodeBucketKey({ ip_address: ip, username: `user${sequence}` }),
    }
  }
  const store = (): WrongPasswordStore => {
    const found = wrongPasswordStoreOf(suite.handler)
    if (found === null) throw new Error('a shared handler without wrong passwords')
    return found
  }
  const hash = (text: string) => text.padStart(32, '0')
  const note = (
    s: WrongPasswordStore,
    buckets: readonly string[],
    password: string,
    now: number,
    extra: Partial<WrongPasswordInput> = {},
  ) =>
    s.noteWrongPassword({
      entries: buckets.map((bucket) => ({ bucket, hash: hash(`${password}${bucket.length}`) })),
      keep: 3,
      windowMs: 10 * MINUTE,
      now,
      ...extra,
    })

  describe('wrong passwords (repeat passwords)', () => {
    it('notes a hash once: the same one again is a repeat, another one is new', async () => {
      const s = store()
      const { ip } = fresh()
      expect(await note(s, [ip], 'a1', t0)).toBe(false)
      for (let i = 1; i < 10; i++) expect(await note(s, [ip], 'a1', t0 + i)).toBe(true)
      expect(await note(s, [ip], 'a2', t0 + 10)).toBe(false)
      expect(await note(s, [ip], 'a3', t0 + 11)).toBe(false)
      expect(await note(s, [ip], 'a2', t0 + 12)).toBe(true)
    })

    it("forgets a bucket's hashes a window after its last new one", async () => {
      const s = store()
      const { ip } = fresh()
      await note(s, [ip], 'b1', t0)
      // A new hash at 8 minutes keeps the bucket's hashes until 18 minutes; a repeat does not.
      await note(s, [ip], 'b2', t0 + 8 * MINUTE)
      expect(await note(s, [ip], 'b1', t0 + 17 * MINUTE)).toBe(true)
      expect(await note(s, [ip], 'b1', t0 + 18 * MINUTE)).toBe(false)
      expect(await note(s, [ip], 'b2', t0 + 18 * MINUTE + 1)).toBe(false)
    })

    it('keeps at most `keep` hashes per bucket, dropping the oldest', async () => {
      const s = store()
      const { ip } = fresh()
      for (const [i, p] of ['c1', 'c2', 'c3', 'c4'].entries()) await note(s, [ip], p, t0 + i)
      expect(await note(s, [ip], 'c4', t0 + 10)).toBe(true)
      expect(await note(s, [ip], 'c2', t0 + 11)).toBe(true)
      // c1 was dropped: new again, which drops c2 (now the oldest) in turn.
      expect(await note(s, [ip], 'c1', t0 + 12)).toBe(false)
      expect(await note(s, [ip], 'c2', t0 + 13)).toBe(false)
    })

    it('a repeat in any bucket writes nothing; keeps buckets apart', async () => {
      const s = store()
      const { ip, pair } = fresh()
      const other = fresh()
      await note(s, [pair], 'd1', t0)
      expect(await note(s, [ip, pair], 'd1', t0 + 1)).toBe(true)
      // Nothing was added to the IP's bucket.
      expect(await note(s, [ip], 'd1', t0 + 2)).toBe(false)
      expect(await note(s, [other.ip], 'd1', t0 + 3)).toBe(false)
      expect(await note(s, [ip, pair], 'd2', t0 + 4)).toBe(false)
      expect(await note(s, [ip], 'd2', t0 + 5)).toBe(true)
      expect(await note(s, [pair], 'd2', t0 + 6)).toBe(true)
    })

    it('is new exactly once under concurrency', async () => {
      const s = store()
      const { ip, pair } = fresh()
      const n = Math.min(suite.concurrency, 200)
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => note(s, i % 2 ? [ip, pair] : [pair], 'e1', t0)),
      )
      expect(results.filter((repeat) => !repeat)).toHaveLength(1)
    })

    it('resets one bucket, or all of them', async () => {
      const s = store()
      const { ip } = fresh()
      const other = fresh()
      await note(s, [ip], 'f1', t0)
      await note(s, [other.ip], 'f1', t0)
      expect(await s.resetWrongPasswords(ip)).toBe(1)
      expect(await note(s, [ip], 'f1', t0 + 1)).toBe(false)
      expect(await note(s, [other.ip], 'f1', t0 + 2)).toBe(true)
      expect(await s.resetWrongPasswords(null)).toBeGreaterThanOrEqual(2)
      expect(await note(s, [other.ip], 'f1', t0 + 3)).toBe(false)
    })
  })
}
