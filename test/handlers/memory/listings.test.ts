import { describe, expect, it } from 'vitest'
import { AxesConfigError } from '../../../src/ground/errors.js'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { conformanceInput } from '../../../src/testing/fixtures.js'

// The memory handler's listings and admin queries (src/handlers/memory/listings.ts) and the parts
// of handler.ts the conformance suite does not look at: its name, its option errors' text, a
// listing's limit, and close.

const T0 = Date.UTC(2026, 0, 1)
/** failureLimit 3 and a one-hour cool-off (the conformance rule). */
const COOLOFF = 3_600_000

describe('memory handler: listings', () => {
  it('lists an entry per bucket with failures, with the fields its key holds', async () => {
    const handler = memoryHandler()
    const input = conformanceInput(
      { ipAddress: '10.0.0.7', username: 'bob', userAgent: 'agent/1' },
      { parameters: [['ip_address', 'username', 'user_agent'], 'username'], now: T0 },
    )
    await handler.recordFailure(input)
    const entries = await handler.snapshotBuckets(T0 + 1)
    const combined = entries.find((entry) => entry.ipAddress !== null)
    expect(combined).toMatchObject({
      ipAddress: '10.0.0.7',
      username: 'bob',
      userAgent: 'agent/1',
      failures: 1,
      attemptTime: new Date(T0),
      lockedUntil: null,
      pathInfo: null,
    })
    const byName = entries.find((entry) => entry.ipAddress === null)
    expect(byName).toMatchObject({ username: 'bob', userAgent: null, failures: 1 })
    expect(byName?.expiresAt).toEqual(new Date(T0 + COOLOFF))
    expect(await handler.getAttempt(combined?.id as string, { now: T0 + 1, rule: null })).toEqual(
      combined,
    )
    expect(await handler.getAttempt('no such bucket', { now: T0 + 1, rule: null })).toBeNull()
  })

  it('shows a lock until the very millisecond it lifts, and no bucket once expired', async () => {
    const handler = memoryHandler()
    for (let i = 0; i < 3; i++) await handler.recordFailure(conformanceInput({}, { now: T0 }))
    const [entry] = await handler.snapshotBuckets(T0 + 1)
    expect(entry?.lockedUntil).toBe(T0 + COOLOFF)
    const id = entry?.id as string
    expect((await handler.getAttempt(id, { now: T0 + COOLOFF - 1, rule: null }))?.lockedUntil).toBe(
      T0 + COOLOFF,
    )
    // At the lift the failures have expired too (the cool-off is their window): nothing to show.
    expect(await handler.getAttempt(id, { now: T0 + COOLOFF, rule: null })).toBeNull()
    // A bucket locked for good (no cool-off) keeps its lock.
    const forGood = memoryHandler()
    const rule = { cooloffMs: null }
    for (let i = 0; i < 3; i++) await forGood.recordFailure(conformanceInput({}, { rule, now: T0 }))
    const [kept] = await forGood.snapshotBuckets(T0 + 10 * COOLOFF)
    expect(kept).toMatchObject({ failures: 3, expiresAt: null })
    expect(kept?.lockedUntil).toBe(Number.POSITIVE_INFINITY)
  })

  it('shows no lock once it has lifted while the failures still count (tiers)', async () => {
    const handler = memoryHandler()
    // Locked an hour at 3 failures; failures remembered a day, the next tier's cool-off.
    const rule = {
      tiers: [
        { failures: 3, cooloffMs: COOLOFF },
        { failures: 6, cooloffMs: 24 * COOLOFF },
      ],
    }
    for (let i = 0; i < 3; i++) await handler.recordFailure(conformanceInput({}, { rule, now: T0 }))
    const [locked] = await handler.snapshotBuckets(T0 + 1)
    expect(locked?.lockedUntil).toBe(T0 + COOLOFF)
    const [lifted] = await handler.snapshotBuckets(T0 + COOLOFF)
    expect(lifted).toMatchObject({ failures: 3, lockedUntil: null })
    expect(lifted?.expiresAt).toEqual(new Date(T0 + 24 * COOLOFF))
  })

  it('lists no bucket that holds only a place in flight', async () => {
    const handler = memoryHandler()
    const reserved = await handler.reserve(conformanceInput({}, { now: T0 }))
    expect(reserved.outcome).toBe('reserved')
    expect(handler.size).toBe(1)
    expect(await handler.snapshotBuckets(T0 + 1)).toEqual([])
    expect(await handler.listAttempts({ now: T0 + 1 })).toEqual([])
  })

  it('lists attempts newest first, as many as the limit asks', async () => {
    const handler = memoryHandler()
    for (const [i, username] of ['ann', 'ben', 'cat'].entries()) {
      await handler.recordFailure(
        conformanceInput({ username }, { parameters: ['username'], now: T0 + i }),
      )
    }
    const all = await handler.listAttempts({ now: T0 + 10 })
    expect(all.map((a) => a.username)).toEqual(['cat', 'ben', 'ann'])
    const two = await handler.listAttempts({ limit: 2, now: T0 + 10 })
    expect(two.map((a) => a.username)).toEqual(['cat', 'ben'])
  })
})

describe('memory handler: name, option errors and close', () => {
  it('is named memory', () => {
    expect(memoryHandler().name).toBe('memory')
  })

  it('says which option is wrong, what it expects and what it got', () => {
    let error: unknown
    try {
      memoryHandler({ maxBuckets: 0, maxBytes: 100 })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AxesConfigError)
    expect((error as AxesConfigError).message).toBe(
      '[node-axes] invalid memoryHandler options (2 problems):\n' +
        '  - maxBuckets: expects a whole number ≥ 1, got 0\n' +
        '  - maxBytes: expects a whole number ≥ 4096, got 100',
    )
  })

  it('forgets every bucket when closed', async () => {
    const handler = memoryHandler()
    await handler.recordFailure(conformanceInput({}, { now: T0 }))
    expect(handler.size).toBe(1)
    await handler.close?.()
    expect(handler.size).toBe(0)
    expect(await handler.listAttempts({ now: T0 + 1 })).toEqual([])
  })
})
