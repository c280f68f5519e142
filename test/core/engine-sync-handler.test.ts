/**
 * A handler may answer with plain values instead of promises (`Awaitable` in the contract): a
 * store that counts synchronously needs no `Promise.resolve` wrapping. The engine awaits every
 * answer, so such a handler counts, locks, resets and reports exactly as a promise-returning one.
 */
import { describe, expect, it } from 'vitest'
import type {
  AxesHandler,
  AxesRequest,
  CountInput,
  CountResult,
  ReserveResult,
  ResetFilter,
  SettleInput,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)

/**
 * A synchronous in-process store: failures per bucket key, places held per bucket. Every method
 * returns a value (never a promise); JavaScript's single thread makes each call atomic. It keeps
 * no cool-off (a lock lasts until reset), enough to show the engine taking plain values.
 */
function syncHandler() {
  const failures = new Map<string, number>()
  const held = new Map<string, number>()
  const pending = new Map<string, readonly string[]>()
  const calls: string[] = []
  let next = 0
  const state = (input: CountInput): CountResult => {
    const most = Math.max(...input.buckets.map((b) => failures.get(b.key) ?? 0))
    const locked = input.rule.lockOutAtFailure && most >= input.rule.failureLimit
    return { failures: most, lockedUntil: locked ? Number.POSITIVE_INFINITY : null }
  }
  const record = (keys: readonly string[]) => {
    for (const key of keys) failures.set(key, (failures.get(key) ?? 0) + 1)
  }
  const handler = {
    name: 'sync',
    shared: false,
    kind: 'custom',
    getFailures(input: CountInput): CountResult {
      calls.push('getFailures')
      return state(input)
    },
    reserve(input: CountInput): ReserveResult {
      calls.push('reserve')
      const now = state(input)
      const base = { ...now, reservation: null, recorded: false }
      if (now.lockedUntil !== null) return { ...base, outcome: 'locked' }
      const full = input.buckets.some(
        (b) => (failures.get(b.key) ?? 0) + (held.get(b.key) ?? 0) >= input.rule.failureLimit,
      )
      if (full) return { ...base, outcome: 'busy' }
      const keys = input.buckets.map((b) => b.key)
      for (const key of keys) held.set(key, (held.get(key) ?? 0) + 1)
      const token = String(next++)
      pending.set(token, keys)
      return { ...base, outcome: 'reserved', reservation: token }
    },
    settle(input: SettleInput): CountResult {
      calls.push('settle')
      const keys = pending.get(input.reservation)
      if (keys) {
        pending.delete(input.reservation)
        for (const key of keys) held.set(key, (held.get(key) ?? 1) - 1)
        if (input.outcome === 'failure') record(keys)
      }
      return state(input)
    },
    recordFailure(input: CountInput): CountResult {
      calls.push('recordFailure')
      record(input.buckets.map((b) => b.key))
      return state(input)
    },
    resetBuckets(buckets: readonly { key: string }[]): number {
      calls.push('resetBuckets')
      return buckets.filter((b) => failures.delete(b.key)).length
    },
    resetAttempts(_filter: ResetFilter): number {
      calls.push('resetAttempts')
      const removed = failures.size
      failures.clear()
      return removed
    },
  } satisfies AxesHandler
  return { handler, calls }
}

function request(ip: string, username: string): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': 'sync-test' },
    socketAddress: ip,
    body: { username },
  }
}

describe('a handler that answers with plain values', () => {
  it('counts, locks after failureLimit, and lets nobody else in its lock', async () => {
    const { handler, calls } = syncHandler()
    const axes = createAxes({ handler, failureLimit: 3, logger: false, clock: () => T0 })
    let verified = 0
    const verify = async () => {
      verified++
      return null
    }
    const answers = []
    for (let i = 0; i < 5; i++) {
      const result = await axes.protect(request('10.0.0.1', 'alice'), { username: 'alice' }, verify)
      answers.push(result.decision.reason)
    }
    expect(verified).toBe(3)
    expect(answers.slice(3)).toEqual(['lockedOut', 'lockedOut'])
    expect(calls).toContain('reserve')
    expect(calls).toContain('settle')
    // Another IP is its own bucket (lockoutParameters: ip_address).
    expect((await axes.isAllowed(request('10.0.0.2', 'alice'))).allowed).toBe(true)
  })

  it('reports failures without a reservation and resets them', async () => {
    const { handler } = syncHandler()
    const axes = createAxes({ handler, failureLimit: 2, logger: false, clock: () => T0 })
    await axes.loginFailed(request('10.0.0.3', 'bob'), { username: 'bob' })
    const twice = await axes.loginFailed(request('10.0.0.3', 'bob'), { username: 'bob' })
    expect(twice.failures).toBe(2)
    expect((await axes.isAllowed(request('10.0.0.3', 'bob'))).allowed).toBe(false)
    expect(await axes.reset({ ip: '10.0.0.3' })).toBe(1)
    expect((await axes.isAllowed(request('10.0.0.3', 'bob'))).allowed).toBe(true)
  })
})
