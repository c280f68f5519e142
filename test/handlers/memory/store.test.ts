import { describe, expect, it } from 'vitest'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { keyBytes, SLOT_BYTES } from '../../../src/handlers/memory/store.js'
import { conformanceInput } from '../../../src/testing/index.js'

// The bucket store (src/handlers/memory/store.ts) through the handler: the maxBuckets bound,
// eviction that spares lockouts, and expiry sweeps without a timer.

describe('memory handler: bounded', () => {
  const t0 = Date.now()
  const client = (i: number) =>
    conformanceInput({ ipAddress: `10.0.${i >> 8}.${i & 255}` }, { now: t0 })

  it('never grows past maxBuckets, making room from the oldest unlocked buckets', async () => {
    const handler = memoryHandler({ maxBuckets: 100 })
    for (let i = 0; i < 1000; i++) await handler.recordFailure(client(i))
    expect(handler.size).toBe(100)
    // The newest are kept, the oldest went first.
    expect((await handler.getFailures(client(999))).failures).toBe(1)
    expect((await handler.getFailures(client(0))).failures).toBe(0)
  })

  it('never deletes a locked bucket to make room: a flood of new clients cannot erase a lockout', async () => {
    const handler = memoryHandler({ maxBuckets: 50 })
    const victim = conformanceInput({ ipAddress: '192.0.2.1' }, { now: t0 })
    for (let i = 0; i < 3; i++) await handler.recordFailure(victim)
    for (let i = 0; i < 5000; i++) await handler.recordFailure(client(i))
    expect(await handler.getFailures(victim)).toEqual({
      failures: 3,
      lockedUntil: t0 + 3_600_000,
    })
  })

  it('prefers expired buckets when making room', async () => {
    const handler = memoryHandler({ maxBuckets: 3 })
    const rule = { cooloffMs: 1000 }
    const at = (ip: string, now: number) => conformanceInput({ ipAddress: ip }, { rule, now })
    await handler.recordFailure(at('10.0.0.1', t0))
    await handler.recordFailure(at('10.0.0.2', t0 + 5000))
    await handler.recordFailure(at('10.0.0.3', t0 + 5000))
    // 10.0.0.1 expired at t0 + 1000; it goes, not 10.0.0.2.
    await handler.recordFailure(at('10.0.0.4', t0 + 5001))
    expect((await handler.getFailures(at('10.0.0.2', t0 + 5001))).failures).toBe(1)
    expect(handler.size).toBe(3)
  })

  it('never refuses a new bucket: when the buckets met are all locked, the oldest lockout goes', async () => {
    const handler = memoryHandler({ maxBuckets: 4 })
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    const locked = (i: number) =>
      conformanceInput(
        { ipAddress: `10.0.0.${i}`, username: `u${i}` },
        { parameters: [...parameters], now: t0 },
      )
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) await handler.recordFailure(locked(i))
    const newcomer = conformanceInput(
      { ipAddress: '10.0.0.9' },
      { parameters: [...parameters], now: t0 },
    )
    expect(await handler.recordFailure(newcomer)).toEqual({ failures: 1, lockedUntil: null })
    expect((await handler.reserve(newcomer)).outcome).toBe('reserved')
    expect(handler.size).toBe(4)
    // The first client's two buckets went (the oldest); the second is still locked out.
    expect((await handler.getFailures(locked(0))).failures).toBe(0)
    expect((await handler.getFailures(locked(1))).lockedUntil).toBe(t0 + 3_600_000)
  })

  it('keeps buckets that hold places: with every bucket busy, the store goes over its bound', async () => {
    const handler = memoryHandler({ maxBuckets: 2 })
    for (let i = 0; i < 2; i++) expect((await handler.reserve(client(i))).outcome).toBe('reserved')
    expect((await handler.reserve(client(2))).outcome).toBe('reserved')
    expect(handler.size).toBe(3)
  })

  it('creates no bucket for an attempt refused by a lock, and still extends the lock', async () => {
    const handler = memoryHandler()
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    const at = (username: string, now: number) =>
      conformanceInput(
        { ipAddress: '10.0.0.1', username },
        { parameters: [...parameters], now, rule: { recordLockedAttempts: true } },
      )
    for (let i = 0; i < 3; i++) await handler.recordFailure(at(`u${i}`, t0))
    expect(handler.size).toBe(4)
    for (let i = 3; i < 100; i++) {
      expect((await handler.reserve(at(`u${i}`, t0 + i))).outcome).toBe('locked')
      expect((await handler.recordFailure(at(`v${i}`, t0 + i))).lockedUntil).toBe(
        t0 + i + 3_600_000,
      )
    }
    expect(handler.size).toBe(4)
    // The IP's lock runs from the last refused attempt, as in django-axes.
    expect((await handler.getFailures(at('new', t0 + 100))).lockedUntil).toBe(t0 + 99 + 3_600_000)
  })

  it('bounds its estimated bytes by maxBytes, counting two bytes a character of the key', async () => {
    const handler = memoryHandler({ maxBytes: 1 << 20 })
    expect(handler.maxBytes).toBe(1 << 20)
    const wide = '漢'.repeat(200)
    for (let i = 0; i < 20_000; i++) {
      await handler.recordFailure(
        conformanceInput(
          { ipAddress: '10.0.0.1', username: `${wide}${i}` },
          { parameters: [['username', 'ip_address']], now: t0 },
        ),
      )
      expect(handler.bytes).toBeLessThanOrEqual(1 << 20)
    }
    // A 200-character username costs at least 400 bytes: at most 2,600 buckets fit.
    expect(handler.size).toBeLessThan(2_600)
    expect(handler.size).toBeGreaterThan(1_000)
  })

  it('sweeps expired buckets as it writes, without a timer', async () => {
    const handler = memoryHandler()
    const rule = { cooloffMs: 1000 }
    for (let i = 0; i < 200; i++) {
      await handler.recordFailure(conformanceInput({ ipAddress: `10.1.0.${i}` }, { rule, now: t0 }))
    }
    expect(handler.size).toBe(200)
    for (let i = 0; i < 200; i++) {
      await handler.recordFailure(
        conformanceInput({ ipAddress: `10.2.0.${i}` }, { rule, now: t0 + 2000 }),
      )
    }
    expect(handler.size).toBeLessThan(400)
  })

  it('stays within the smallest maxBytes from the start, its slots included', async () => {
    const handler = memoryHandler({ maxBytes: 4096 })
    expect(handler.bytes).toBeLessThanOrEqual(4096)
    for (let i = 0; i < 200; i++) {
      await handler.recordFailure(client(i))
      expect(handler.bytes).toBeLessThanOrEqual(4096)
    }
    expect(handler.size).toBeGreaterThan(0)
  })

  it('with short keys, doubles its slots only when the doubled array fits in maxBytes', async () => {
    const maxBytes = 1 << 20
    const handler = memoryHandler({ maxBytes })
    for (let i = 0; i < 10_000; i++) {
      await handler.recordFailure(client(i))
      expect(handler.bytes).toBeLessThanOrEqual(maxBytes)
    }
    // Each bucket costs its slot and its key: the estimate counts both, and the budget is used.
    const perBucket = SLOT_BYTES + keyBytes(client(0).buckets[0]?.key ?? '')
    expect(handler.bytes).toBeGreaterThanOrEqual(handler.size * perBucket)
    expect(handler.size * perBucket).toBeGreaterThan(maxBytes / 2)
  })

  it('reuses the slots of buckets that come and go: a steady load does not grow it', async () => {
    const handler = memoryHandler()
    // 1,024 buckets: the first slots' array full, so that a needless doubling would show.
    const round = async () => {
      for (let i = 0; i < 1024; i++) await handler.recordFailure(client(i))
      for (let i = 0; i < 1024; i++) await handler.resetBuckets(client(i).buckets)
    }
    await round()
    const bytes = handler.bytes
    for (let i = 0; i < 4; i++) await round()
    expect(handler.bytes).toBe(bytes)
  })

  it('resetting buckets it does not hold removes nothing and changes no estimate', async () => {
    const handler = memoryHandler()
    await handler.recordFailure(client(1))
    const bytes = handler.bytes
    expect(await handler.resetBuckets([...client(2).buckets, ...client(3).buckets])).toBe(0)
    expect(await handler.deleteAttempts(['ip_address:10.9.9.9', 'nonsense'])).toBe(0)
    expect(handler.bytes).toBe(bytes)
    expect(handler.size).toBe(1)
    expect(await handler.resetBuckets(client(1).buckets)).toBe(1)
    expect(handler.size).toBe(0)
  })

  it('lists a bucket until the instant its failures stop counting, not at it', async () => {
    const handler = memoryHandler()
    const rule = { cooloffMs: 1000 }
    await handler.recordFailure(conformanceInput({}, { rule, now: t0 }))
    expect(await handler.listAttempts({ now: t0 + 999 })).toHaveLength(1)
    expect(await handler.listAttempts({ now: t0 + 1000 })).toEqual([])
    const full = conformanceInput({}, { rule }).rule
    expect(await handler.cleanExpiredAttempts({ now: t0 + 999, rule: full })).toBe(0)
    expect(await handler.cleanExpiredAttempts({ now: t0 + 1000, rule: full })).toBe(1)
  })

  it('a lock that has lifted no longer keeps its bucket over newer ones when making room', async () => {
    // Tiers remember failures (10 minutes) longer than the first lock lasts (1 second).
    const rule = {
      cooloffMs: null,
      tiers: [
        { failures: 3, cooloffMs: 1000 },
        { failures: 5, cooloffMs: 600_000 },
      ],
    }
    const at = (ipAddress: string, now: number) => conformanceInput({ ipAddress }, { rule, now })
    const handler = memoryHandler({ maxBuckets: 2 })
    for (let i = 0; i < 3; i++) await handler.recordFailure(at('10.0.0.1', t0))
    await handler.recordFailure(at('10.0.0.2', t0 + 1500))
    expect(await handler.getFailures(at('10.0.0.1', t0 + 2000))).toEqual({
      failures: 3,
      lockedUntil: null,
    })
    await handler.recordFailure(at('10.0.0.3', t0 + 2000))
    // The oldest bucket went, its lock lifted; the newer client's failure is kept.
    expect((await handler.getFailures(at('10.0.0.1', t0 + 2000))).failures).toBe(0)
    expect((await handler.getFailures(at('10.0.0.2', t0 + 2000))).failures).toBe(1)
  })
})
