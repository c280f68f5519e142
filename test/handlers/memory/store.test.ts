import { describe, expect, it } from 'vitest'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
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
})
