/**
 * `node-axes/testing`: the handler conformance suite. Every node-axes handler's tests run it, and a
 * custom handler's tests can too:
 *
 * ```ts
 * import { describeHandlerConformance } from 'node-axes/testing'
 * import { myHandler } from '../src/my-handler.js'
 *
 * describeHandlerConformance({ name: 'my handler', create: () => myHandler() })
 * ```
 *
 * It needs Vitest (`describe`, `it`, `expect`) and holds a handler to `AxesHandler`'s contract:
 * counting per bucket, expiry by the rule's windows and tiers, exact limits under concurrency,
 * reservations that expire, resets, and keys that cannot collide.
 *
 * @packageDocumentation
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bucketsFor, type LockoutParameterItem } from '../ground/buckets.js'
import type {
  AttemptRecord,
  AxesHandler,
  CountInput,
  LockoutRule,
  ResetFilter,
} from '../ground/contract.js'

/** Options of `describeHandlerConformance`. */
export interface ConformanceOptions {
  /** The suite's title, e.g. `memory handler`. */
  name: string
  /** Makes a fresh, empty handler for each test. */
  create: () => AxesHandler | Promise<AxesHandler>
  /** Cleans up after each test (the suite calls `handler.close()` first when there is one). */
  destroy?: (handler: AxesHandler) => void | Promise<void>
  /** Parallel operations in the concurrency cases. @default 1000 */
  concurrency?: number
}

/** A client as the suite describes one. */
export interface ConformanceClient {
  ipAddress?: string | null
  username?: string | null
  userAgent?: string
}

/** The rule the suite uses unless a case says otherwise: limit 3, 1 hour. */
export const CONFORMANCE_RULE: LockoutRule = {
  failureLimit: 3,
  cooloffMs: 3_600_000,
  tiers: [],
  lockOutAtFailure: true,
  recordLockedAttempts: true,
  reservationTtlMs: 30_000,
}

/** Two tiers, 2 failures → 1 minute, 4 → 10 minutes, no cool-off of its own (the tier cases). */
const TIERED_RULE: Partial<LockoutRule> = {
  failureLimit: 2,
  cooloffMs: null,
  tiers: [
    { failures: 2, cooloffMs: 60_000 },
    { failures: 4, cooloffMs: 600_000 },
  ],
}

/** Builds the input of a counting call, as the core would, for a client and lockout parameters. */
export function conformanceInput(
  client: ConformanceClient,
  options: {
    parameters?: readonly LockoutParameterItem[]
    rule?: Partial<LockoutRule>
    now?: number
  } = {},
): CountInput {
  const identity = {
    ipAddress: client.ipAddress === undefined ? '10.0.0.1' : client.ipAddress,
    username: client.username === undefined ? 'alice' : client.username,
    userAgent: client.userAgent ?? 'conformance-agent',
  }
  const now = options.now ?? Date.now()
  const attempt: AttemptRecord = {
    ...identity,
    pathInfo: '/login',
    httpAccept: '*/*',
    getData: '',
    postData: 'username=********************\npassword=********************',
    attemptTime: new Date(now),
  }
  return {
    buckets: bucketsFor(options.parameters ?? ['ip_address'], identity),
    rule: { ...CONFORMANCE_RULE, ...options.rule },
    attempt,
    now,
  }
}

/**
 * Registers the conformance suite with Vitest for one handler.
 */
export function describeHandlerConformance(options: ConformanceOptions): void {
  const concurrency = options.concurrency ?? 1000

  describe(`${options.name}: handler conformance`, () => {
    let handler: AxesHandler
    const t0 = Date.now()

    beforeEach(async () => {
      handler = await options.create()
      handler.attach?.({
        disableAccessLog: false,
        enableAccessFailureLog: false,
        accessFailureLogPerUserLimit: 1000,
        useAttemptExpiration: false,
      })
    })

    afterEach(async () => {
      await handler.close?.()
      await options.destroy?.(handler)
    })

    const fail = (input: CountInput) => handler.recordFailure(input)

    it('starts empty: no failures, no lock', async () => {
      const state = await handler.getFailures(conformanceInput({}, { now: t0 }))
      expect(state).toEqual({ failures: 0, lockedUntil: null })
    })

    it('counts failures and locks at the limit, until the cool-off after the last failure', async () => {
      const results = []
      for (let i = 0; i < 3; i++) results.push(await fail(conformanceInput({}, { now: t0 + i })))
      expect(results.map((r) => r.failures)).toEqual([1, 2, 3])
      expect(results[0]?.lockedUntil).toBeNull()
      expect(results[1]?.lockedUntil).toBeNull()
      expect(results[2]?.lockedUntil).toBe(t0 + 2 + 3_600_000)
      const later = await handler.getFailures(conformanceInput({}, { now: t0 + 1000 }))
      expect(later).toEqual({ failures: 3, lockedUntil: t0 + 2 + 3_600_000 })
    })

    it('forgets failures once the cool-off has passed since the last one', async () => {
      const rule = { cooloffMs: 60_000 }
      await fail(conformanceInput({}, { rule, now: t0 }))
      await fail(conformanceInput({}, { rule, now: t0 + 30_000 }))
      const before = await handler.getFailures(conformanceInput({}, { rule, now: t0 + 89_999 }))
      expect(before.failures).toBe(2)
      const after = await handler.getFailures(conformanceInput({}, { rule, now: t0 + 90_000 }))
      expect(after.failures).toBe(0)
      const again = await fail(conformanceInput({}, { rule, now: t0 + 90_001 }))
      expect(again.failures).toBe(1)
    })

    it('locks until reset without a cool-off', async () => {
      const rule = { cooloffMs: null }
      for (let i = 0; i < 3; i++) await fail(conformanceInput({}, { rule, now: t0 }))
      const state = await handler.getFailures(conformanceInput({}, { rule, now: t0 + 1e10 }))
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
      const past1 = await handler.getFailures(conformanceInput({}, { rule, now: t0 + 3 + 60_001 }))
      expect(past1.failures).toBe(4)
      const past2 = await handler.getFailures(conformanceInput({}, { rule, now: t0 + 3 + 600_000 }))
      expect(past2.failures).toBe(0)
    })

    it('climbs the tiers when a client comes back after a lock lifts', async () => {
      const rule = TIERED_RULE
      const at = (now: number) => conformanceInput({}, { rule, now })
      await fail(at(t0))
      expect(await fail(at(t0 + 1))).toEqual({ failures: 2, lockedUntil: t0 + 1 + 60_000 })
      // The first lock lifts; the failures are remembered (for the longest tier's cool-off).
      expect(await handler.getFailures(at(t0 + 61_001))).toEqual({ failures: 2, lockedUntil: null })
      // One attempt at a time is let through, and its failure locks again.
      const first = await handler.reserve(at(t0 + 61_002))
      expect(first.outcome).toBe('reserved')
      expect((await handler.reserve(at(t0 + 61_002))).outcome).toBe('busy')
      const third = await handler.settle({
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
      expect(await handler.getFailures(conformanceInput({}, { rule, now: t0 }))).toEqual({
        failures: 5,
        lockedUntil: null,
      })
      const reserved = await handler.reserve(conformanceInput({}, { rule, now: t0 }))
      expect(reserved.outcome).toBe('reserved')
    })

    it('keeps buckets apart: OR across items, AND inside an item, the largest bucket decides', async () => {
      const parameters: LockoutParameterItem[] = ['ip_address', ['username', 'ip_address']]
      const at = (client: ConformanceClient) => conformanceInput(client, { parameters, now: t0 })
      await fail(at({ username: 'alice', ipAddress: '10.0.0.1' }))
      await fail(at({ username: 'bob', ipAddress: '10.0.0.1' }))
      await fail(at({ username: 'alice', ipAddress: '10.0.0.2' }))
      expect(
        (await handler.getFailures(at({ username: 'carol', ipAddress: '10.0.0.1' }))).failures,
      ).toBe(2)
      expect(
        (await handler.getFailures(at({ username: 'alice', ipAddress: '10.0.0.2' }))).failures,
      ).toBe(1)
      expect(
        (await handler.getFailures(at({ username: 'dave', ipAddress: '10.0.0.3' }))).failures,
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
      const victim = await handler.getFailures(
        conformanceInput({ username: 'real-user', ipAddress: '10.1.1.1' }, { parameters, now: t0 }),
      )
      expect(victim).toEqual({ failures: 0, lockedUntil: null })
      const combo: LockoutParameterItem[] = [['username', 'ip_address']]
      await fail(
        conformanceInput({ username: '10', ipAddress: '1.1.1.1' }, { parameters: combo, now: t0 }),
      )
      const other = await handler.getFailures(
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
        const state = await handler.getFailures(
          conformanceInput({ username }, { parameters: ['username'], now: t0 }),
        )
        expect(state.failures, username).toBe(1)
      }
    })

    it('reserves exactly as many attempts as are left, however many arrive at once', async () => {
      const inputs = Array.from({ length: concurrency }, () => conformanceInput({}, { now: t0 }))
      const results = await Promise.all(inputs.map((input) => handler.reserve(input)))
      const reserved = results.filter((r) => r.outcome === 'reserved')
      expect(reserved).toHaveLength(3)
      expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(concurrency - 3)
      const settled = await Promise.all(
        reserved.map((r) =>
          handler.settle({
            ...conformanceInput({}, { now: t0 + 1 }),
            reservation: r.reservation as string,
            outcome: 'failure',
          }),
        ),
      )
      expect(Math.max(...settled.map((s) => s.failures))).toBe(3)
      const next = await handler.reserve(conformanceInput({}, { now: t0 + 2 }))
      expect(next.outcome).toBe('locked')
    })

    it('counts every one of many parallel failures', async () => {
      const rule = { failureLimit: concurrency * 10 }
      await Promise.all(
        Array.from({ length: concurrency }, () => fail(conformanceInput({}, { rule, now: t0 }))),
      )
      const state = await handler.getFailures(conformanceInput({}, { rule, now: t0 }))
      expect(state.failures).toBe(concurrency)
    })

    it('frees a place on success or cancel, and settles a token only once', async () => {
      const first = await handler.reserve(conformanceInput({}, { now: t0 }))
      expect(first.outcome).toBe('reserved')
      const token = first.reservation as string
      const input = { ...conformanceInput({}, { now: t0 }), reservation: token }
      await handler.settle({ ...input, outcome: 'success' })
      await handler.settle({ ...input, outcome: 'failure' })
      expect((await handler.getFailures(conformanceInput({}, { now: t0 }))).failures).toBe(0)
      const held = []
      for (let i = 0; i < 3; i++)
        held.push(await handler.reserve(conformanceInput({}, { now: t0 })))
      expect(held.map((r) => r.outcome)).toEqual(['reserved', 'reserved', 'reserved'])
      expect((await handler.reserve(conformanceInput({}, { now: t0 }))).outcome).toBe('busy')
      await handler.settle({
        ...conformanceInput({}, { now: t0 }),
        reservation: held[0]?.reservation as string,
        outcome: 'cancel',
      })
      expect((await handler.reserve(conformanceInput({}, { now: t0 }))).outcome).toBe('reserved')
    })

    it('drops places never settled once the reservation time has passed', async () => {
      const rule = { reservationTtlMs: 5_000 }
      for (let i = 0; i < 3; i++) await handler.reserve(conformanceInput({}, { rule, now: t0 }))
      expect((await handler.reserve(conformanceInput({}, { rule, now: t0 + 1 }))).outcome).toBe(
        'busy',
      )
      const later = await handler.reserve(conformanceInput({}, { rule, now: t0 + 5_001 }))
      expect(later.outcome).toBe('reserved')
    })

    it('still records a failure settled after its reservation time, or after a reset', async () => {
      const rule = { reservationTtlMs: 5_000 }
      const late = await handler.reserve(conformanceInput({}, { rule, now: t0 }))
      const afterReset = await handler.reserve(conformanceInput({}, { rule, now: t0 }))
      const settleAt = (token: string | null, now: number) =>
        handler.settle({
          ...conformanceInput({}, { rule, now }),
          reservation: token as string,
          outcome: 'failure',
        })
      expect((await settleAt(late.reservation, t0 + 6_000)).failures).toBe(1)
      await handler.resetAttempts({})
      expect((await settleAt(afterReset.reservation, t0 + 1_000)).failures).toBe(1)
    })

    it('records attempts refused during a lockout when recordLockedAttempts is on, and only then', async () => {
      for (let i = 0; i < 3; i++) await fail(conformanceInput({}, { now: t0 }))
      const quiet = await handler.reserve(
        conformanceInput({}, { rule: { recordLockedAttempts: false }, now: t0 + 10 }),
      )
      expect(quiet).toMatchObject({ outcome: 'locked', recorded: false, failures: 3 })
      expect(quiet.lockedUntil).toBe(t0 + 3_600_000)
      const loud = await handler.reserve(conformanceInput({}, { now: t0 + 20 }))
      expect(loud).toMatchObject({ outcome: 'locked', recorded: true, failures: 4 })
      expect(loud.lockedUntil).toBe(t0 + 20 + 3_600_000)
    })

    it('resets the given buckets only', async () => {
      const parameters: LockoutParameterItem[] = [['username', 'ip_address']]
      await fail(conformanceInput({ username: 'alice' }, { parameters, now: t0 }))
      await fail(conformanceInput({ username: 'bob' }, { parameters, now: t0 }))
      const alice = conformanceInput({ username: 'alice' }, { parameters, now: t0 })
      expect(await handler.resetBuckets(alice.buckets)).toBe(1)
      expect((await handler.getFailures(alice)).failures).toBe(0)
      const bob = conformanceInput({ username: 'bob' }, { parameters, now: t0 })
      expect((await handler.getFailures(bob)).failures).toBe(1)
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
          const s = await handler.getFailures(conformanceInput(client, { parameters, now: t0 }))
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
          for (const client of clients)
            await fail(conformanceInput(client, { parameters, now: t0 }))
          const removed = await handler.resetAttempts(filter)
          expect(removed).toBe(5 - left)
          expect(await remaining()).toBe(left)
        })
      }
    })

    it('resets logs without failing when it keeps none', async () => {
      expect(await handler.resetLogs({ ageDays: 30 })).toBeGreaterThanOrEqual(0)
      expect(await handler.resetFailureLogs({})).toBeGreaterThanOrEqual(0)
    })

    it('lists current attempts, most recent first, when it can list', async () => {
      if (!handler.listAttempts) return
      await fail(conformanceInput({ ipAddress: '10.0.0.1' }, { now: t0 }))
      await fail(conformanceInput({ ipAddress: '10.0.0.2' }, { now: t0 + 5 }))
      const list = await handler.listAttempts({ now: t0 + 10 })
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
        if (!handler.queryAttempts) return
        await seed()
        const all = await handler.queryAttempts(query())
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
          (await handler.queryAttempts?.(query({ search })))?.rows.map((r) => r.username).sort()
        expect(await names('ALI')).toEqual(['alice'])
        expect(await names('_')).toEqual(['a_b'])
        expect(await names('%')).toEqual([])
        expect(await names('10.0.0.3')).toEqual(['axb'])
        expect(await names('firefox')).toEqual(['alice', 'axb'])
        const locked = await handler.queryAttempts(query({ lockedOut: true }))
        expect(locked.rows.map((r) => r.username)).toEqual(['alice'])
        const open = await handler.queryAttempts(query({ lockedOut: false }))
        expect(open.rows.map((r) => r.username)).toEqual(['axb', 'a_b'])
        const since = await handler.queryAttempts(query({ since: t0 + 10 }))
        expect(since.rows.map((r) => r.username)).toEqual(['axb', 'a_b'])
        const byFailures = await handler.queryAttempts(
          query({ sort: 'failures', descending: false }),
        )
        expect(byFailures.rows.map((r) => r.failures)).toEqual([1, 2, 3])
        const page = await handler.queryAttempts(query({ offset: 1, limit: 1 }))
        expect(page.total).toBe(3)
        expect(page.rows.map((r) => r.username)).toEqual(['a_b'])
        // Once the cool-off has passed, nobody is locked out.
        const later = await handler.queryAttempts(query({ now: t0 + 7_200_000, lockedOut: true }))
        expect(later.rows).toEqual([])
      })

      it('shows one attempt by id and deletes attempts by id, resetting them', async () => {
        if (!handler.queryAttempts || !handler.getAttempt || !handler.deleteAttempts) return
        await seed()
        const rows = (await handler.queryAttempts(query())).rows
        const alice = rows.find((r) => r.username === 'alice') as (typeof rows)[number]
        const detail = await handler.getAttempt(alice.id, { now: t0 + 100, rule: CONFORMANCE_RULE })
        expect(detail?.username).toBe('alice')
        expect(detail?.failures).toBe(3)
        expect(await handler.getAttempt('no-such-id', { now: t0, rule: null })).toBeNull()
        expect(await handler.deleteAttempts([alice.id, 'no-such-id'])).toBe(1)
        expect(await handler.deleteAttempts([alice.id])).toBe(0)
        const input = conformanceInput(
          { ipAddress: '10.0.0.1', username: 'alice', userAgent: 'Firefox' },
          { parameters: each, now: t0 + 100 },
        )
        expect(await handler.getFailures(input)).toEqual({ failures: 0, lockedUntil: null })
        expect((await handler.queryAttempts(query())).total).toBe(2)
      })

      it('cleans up the attempts past their failure window, and only those', async () => {
        if (!handler.queryAttempts || !handler.cleanExpiredAttempts) return
        await seed()
        const now = t0 + 3_600_000 + 15
        expect(await handler.cleanExpiredAttempts({ now, rule: CONFORMANCE_RULE })).toBe(2)
        const left = await handler.queryAttempts(query({ now }))
        expect(left.rows.map((r) => r.username)).toEqual(['axb'])
      })

      it('gives the overview figures', async () => {
        if (!handler.attemptStats) return
        await seed()
        const stats = await handler.attemptStats({
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
  })
}
