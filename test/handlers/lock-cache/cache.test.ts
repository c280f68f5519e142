import { conformanceInput } from 'node-axes/testing'
import { describe, expect, it } from 'vitest'
import type { AxesHandler } from '../../../src/ground/contract.js'
import { LockCache, lockCacheOf, withLockCache } from '../../../src/handlers/lock-cache/index.js'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { createAxes } from '../../../src/index.js'

// The lock cache's own parts (src/handlers/lock-cache/): its memory's bound, its options, a store
// that fails while a kept lock is refreshed, and what an instance says of a refusal it answered.
// The cases every handler runs are in src/testing/lock-cache.ts.

const rule = conformanceInput({}).rule

describe('lock cache: its memory', () => {
  it('never holds more than maxBytes, whatever keys it is given', () => {
    const cache = new LockCache(10_000)
    for (let i = 0; i < 5000; i++) {
      cache.learn(`u${300 + (i % 7)}:${'x'.repeat(300 + (i % 7))}${i}`, rule, 3, 1e15, 0)
      expect(cache.bytes).toBeLessThanOrEqual(10_000)
    }
    expect(cache.size).toBeGreaterThan(0)
    // A key that could not fit on its own is not kept, and evicts nothing.
    const before = cache.size
    cache.learn('k'.repeat(6000), rule, 3, 1e15, 0)
    expect(cache.size).toBe(before)
    expect(cache.get('k'.repeat(6000))).toBeUndefined()
  })

  it('keeps locks only: an answer without one removes the entry', () => {
    const cache = new LockCache(10_000)
    cache.learn('a', rule, 3, 1e15, 0)
    cache.learn('a', rule, 0, null, 1)
    expect(cache.size).toBe(0)
    expect(cache.bytes).toBe(0)
  })

  it('refuses bad options with an AxesError', () => {
    expect(() => withLockCache(memoryHandler(), { maxStaleMs: -1 })).toThrow(/maxStaleMs/)
    expect(() => withLockCache(memoryHandler(), { maxBytes: 1.5 })).toThrow(/maxBytes/)
  })
})

describe('lock cache: a store that fails while a lock is refreshed', () => {
  it('lets each waiting request ask the store itself, at once, rather than one after another', async () => {
    const store = memoryHandler()
    let failing = false
    let calls = 0
    const flaky: AxesHandler = {
      name: 'flaky',
      kind: 'custom',
      shared: true,
      getFailures: (input) => store.getFailures(input),
      reserve: async (input) => {
        calls++
        if (failing) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          throw new Error('store down')
        }
        return store.reserve(input)
      },
      settle: (input) => store.settle(input),
      recordFailure: (input) => store.recordFailure(input),
      resetBuckets: (buckets) => store.resetBuckets(buckets),
      resetAttempts: (filter) => store.resetAttempts(filter),
    }
    let clock = 0
    const cached = withLockCache(flaky, { clock: () => clock })
    const input = conformanceInput({})
    for (let i = 0; i < 3; i++) await store.recordFailure(input)
    expect((await cached.reserve(input)).outcome).toBe('locked')
    failing = true
    clock = 1000
    calls = 0
    const started = performance.now()
    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, () => cached.reserve(input)),
    )
    expect(answers.every((answer) => answer.status === 'rejected')).toBe(true)
    // One refresh, then the 19 that waited for it, together: about two store delays, not twenty.
    expect(calls).toBe(20)
    expect(performance.now() - started).toBeLessThan(200)
    // The store back: the next request refreshes the lock.
    failing = false
    expect((await cached.reserve(input)).outcome).toBe('locked')
  })
})

describe('lock cache: with the access failure log', () => {
  it('writes every refused attempt (the log has a line for each) and answers checks from memory', async () => {
    const store = memoryHandler()
    let writes = 0
    const counting: AxesHandler = {
      name: 'counting',
      kind: 'custom',
      shared: true,
      getFailures: (input) => store.getFailures(input),
      reserve: (input) => {
        writes++
        return store.reserve(input)
      },
      settle: (input) => store.settle(input),
      recordFailure: (input) => store.recordFailure(input),
      resetBuckets: (buckets) => store.resetBuckets(buckets),
      resetAttempts: (filter) => store.resetAttempts(filter),
    }
    const cached = withLockCache(counting, { clock: () => 0 })
    cached.attach?.({
      disableAccessLog: false,
      enableAccessFailureLog: true,
      accessFailureLogPerUserLimit: 1000,
      useAttemptExpiration: false,
    })
    const input = conformanceInput({})
    for (let i = 0; i < 3; i++) await store.recordFailure(input)
    for (let i = 0; i < 5; i++) expect((await cached.reserve(input)).recorded).toBe(true)
    expect(writes).toBe(5)
    expect((await store.getFailures(input)).failures).toBe(8)
    expect((await cached.getFailures(input)).lockedUntil).not.toBeNull()
  })
})

describe('lock cache: through an instance', () => {
  it('answers a flood with lockouts that say they were not recorded, and lockedOut events', async () => {
    const handler = withLockCache(memoryHandler())
    const axes = createAxes({
      handler,
      failureLimit: 2,
      lockoutParameters: ['ip_address'],
      logger: false,
      silencedChecks: ['axes.W002', 'axes.W003'],
    })
    let lockedOut = 0
    axes.on('lockedOut', () => {
      lockedOut++
    })
    const request = { method: 'POST', path: '/login', headers: {}, socketAddress: '10.5.5.5' }
    for (let i = 0; i < 2; i++) await axes.protect({ ...request }, null, () => null)
    lockedOut = 0
    const decisions = []
    for (let i = 0; i < 50; i++) decisions.push((await axes.reserve({ ...request })).decision)
    expect(decisions.every((d) => d.reason === 'lockedOut' && !d.allowed)).toBe(true)
    // The lock the second failure made was kept: all 50 were answered from memory, none stored.
    expect(decisions.filter((d) => d.recorded)).toHaveLength(0)
    expect(lockedOut).toBe(50)
    expect(lockCacheOf(handler)?.size).toBe(1)
    // A reset through the instance is honoured at once.
    await axes.reset({ ip: '10.5.5.5' })
    expect((await axes.isAllowed({ ...request })).allowed).toBe(true)
  })
})
