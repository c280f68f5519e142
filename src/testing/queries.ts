/**
 * The conformance cases of the optional listing and admin queries (`listAttempts`,
 * `queryAttempts`, `getAttempt`, `deleteAttempts`, `cleanExpiredAttempts`, `attemptStats`):
 * each case runs only when the handler has the methods it needs.
 *
 * @module
 */

import { describe, expect, it } from 'vitest'
import {
  CONFORMANCE_RULE,
  type ConformanceClient,
  type ConformanceSuite,
  conformanceInput,
} from './fixtures.js'

/** Registers the listing and admin-query cases, each skipped when the handler lacks its methods. */
export function queryCases(suite: ConformanceSuite): void {
  const { t0, fail } = suite
  it('lists current attempts, most recent first, when it can list', async () => {
    if (!suite.handler.listAttempts) return
    await fail(conformanceInput({ ipAddress: '10.0.0.1' }, { now: t0 }))
    await fail(conformanceInput({ ipAddress: '10.0.0.2' }, { now: t0 + 5 }))
    const list = await suite.handler.listAttempts({ now: t0 + 10 })
    expect(list.map((a) => a.ipAddress)).toEqual(['10.0.0.2', '10.0.0.1'])
    expect(list[0]?.failures).toBe(1)
  })

  describe('the admin queries, when it has them', () => {
    // One bucket per (IP, username, user agent): a counting handler's buckets are then the rows
    // a database keeps.
    const each = [['ip_address', 'username', 'user_agent']] as const
    const record = async (client: ConformanceClient, times: number, now: number) => {
      for (let i = 0; i < times; i++) {
        await fail(conformanceInput(client, { parameters: each, now: now + i }))
      }
    }
    const seed = async () => {
      await record({ ipAddress: '10.0.0.1', username: 'alice', userAgent: 'Firefox' }, 3, t0)
      await record({ ipAddress: '10.0.0.2', username: 'a_b', userAgent: 'curl/8' }, 1, t0 + 10)
      await record({ ipAddress: '10.0.0.3', username: 'axb', userAgent: 'Firefox' }, 2, t0 + 20)
    }
    const query = (extra: Record<string, unknown> = {}) => ({
      offset: 0,
      limit: 50,
      now: t0 + 100,
      rule: CONFORMANCE_RULE,
      ...extra,
    })

    it('queries attempts: search, locked-out filter, sort and pages', async () => {
      if (!suite.handler.queryAttempts) return
      await seed()
      const all = await suite.handler.queryAttempts(query())
      expect(all.total).toBe(3)
      expect(all.rows.map((r) => r.username)).toEqual(['axb', 'a_b', 'alice'])
      const alice = all.rows[2]
      expect(alice?.ipAddress).toBe('10.0.0.1')
      expect(alice?.userAgent).toBe('Firefox')
      expect(alice?.failures).toBe(3)
      expect(alice?.lockedUntil).toBe(t0 + 2 + 3_600_000)
      expect(typeof alice?.id).toBe('string')
      // Case-insensitive substrings, wildcards taken literally.
      const names = async (search: string) =>
        (await suite.handler.queryAttempts?.(query({ search })))?.rows.map((r) => r.username).sort()
      expect(await names('ALI')).toEqual(['alice'])
      expect(await names('_')).toEqual(['a_b'])
      expect(await names('%')).toEqual([])
      expect(await names('10.0.0.3')).toEqual(['axb'])
      expect(await names('firefox')).toEqual(['alice', 'axb'])
      const locked = await suite.handler.queryAttempts(query({ lockedOut: true }))
      expect(locked.rows.map((r) => r.username)).toEqual(['alice'])
      const open = await suite.handler.queryAttempts(query({ lockedOut: false }))
      expect(open.rows.map((r) => r.username)).toEqual(['axb', 'a_b'])
      const since = await suite.handler.queryAttempts(query({ since: t0 + 10 }))
      expect(since.rows.map((r) => r.username)).toEqual(['axb', 'a_b'])
      const byFailures = await suite.handler.queryAttempts(
        query({ sort: 'failures', descending: false }),
      )
      expect(byFailures.rows.map((r) => r.failures)).toEqual([1, 2, 3])
      const page = await suite.handler.queryAttempts(query({ offset: 1, limit: 1 }))
      expect(page.total).toBe(3)
      expect(page.rows.map((r) => r.username)).toEqual(['a_b'])
      // Once the cool-off has passed, nobody is locked out.
      const later = await suite.handler.queryAttempts(
        query({ now: t0 + 7_200_000, lockedOut: true }),
      )
      expect(later.rows).toEqual([])
    })

    it('shows one attempt by id and deletes attempts by id, resetting them', async () => {
      if (
        !suite.handler.queryAttempts ||
        !suite.handler.getAttempt ||
        !suite.handler.deleteAttempts
      )
        return
      await seed()
      const rows = (await suite.handler.queryAttempts(query())).rows
      const alice = rows.find((r) => r.username === 'alice') as (typeof rows)[number]
      const detail = await suite.handler.getAttempt(alice.id, {
        now: t0 + 100,
        rule: CONFORMANCE_RULE,
      })
      expect(detail?.username).toBe('alice')
      expect(detail?.failures).toBe(3)
      expect(await suite.handler.getAttempt('no-such-id', { now: t0, rule: null })).toBeNull()
      expect(await suite.handler.deleteAttempts([alice.id, 'no-such-id'])).toBe(1)
      expect(await suite.handler.deleteAttempts([alice.id])).toBe(0)
      const input = conformanceInput(
        { ipAddress: '10.0.0.1', username: 'alice', userAgent: 'Firefox' },
        { parameters: each, now: t0 + 100 },
      )
      expect(await suite.handler.getFailures(input)).toEqual({ failures: 0, lockedUntil: null })
      expect((await suite.handler.queryAttempts(query())).total).toBe(2)
    })

    it('cleans up the attempts past their failure window, and only those', async () => {
      if (!suite.handler.queryAttempts || !suite.handler.cleanExpiredAttempts) return
      await seed()
      const now = t0 + 3_600_000 + 15
      expect(await suite.handler.cleanExpiredAttempts({ now, rule: CONFORMANCE_RULE })).toBe(2)
      const left = await suite.handler.queryAttempts(query({ now }))
      expect(left.rows.map((r) => r.username)).toEqual(['axb'])
    })

    it('gives the overview figures', async () => {
      if (!suite.handler.attemptStats) return
      await seed()
      const stats = await suite.handler.attemptStats({
        now: t0 + 100,
        rule: CONFORMANCE_RULE,
        since: t0 - 5,
        stepMs: 15,
        steps: 3,
        fromFailureLog: false,
        top: 2,
      })
      expect(stats.source).toBe('attempts')
      // Steps from t0 - 5 of 15 ms: alice's 3 at her last failure (t0 + 2) in the first, a_b's
      // 1 (t0 + 10) and axb's 2 (t0 + 21) in the second.
      expect(stats.series).toEqual([3, 3, 0])
      expect(stats.topIps).toEqual([
        { value: '10.0.0.1', failures: 3 },
        { value: '10.0.0.3', failures: 2 },
      ])
      expect(stats.topUsernames[0]).toEqual({ value: 'alice', failures: 3 })
      expect(stats.lockedOut).toBe(1)
      expect(stats.attempts).toBe(3)
    })
  })
}
