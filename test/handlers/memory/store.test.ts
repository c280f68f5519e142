import { describe, expect, it } from 'vitest'
import { AxesStoreError } from '../../../src/ground/errors.js'
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

  it('refuses new buckets with an AxesStoreError when every bucket is locked, changing nothing', async () => {
    const handler = memoryHandler({ maxBuckets: 4 })
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    for (let i = 0; i < 2; i++) {
      const input = conformanceInput(
        { ipAddress: `10.0.0.${i}` },
        { parameters: [...parameters], now: t0 },
      )
      for (let j = 0; j < 3; j++) await handler.recordFailure(input)
    }
    const newcomer = conformanceInput(
      { ipAddress: '10.0.0.9' },
      { parameters: [...parameters], now: t0 },
    )
    await expect(handler.recordFailure(newcomer)).rejects.toBeInstanceOf(AxesStoreError)
    await expect(handler.reserve(newcomer)).rejects.toThrow(/memory handler is full/)
    expect(handler.size).toBe(4)
    expect((await handler.getFailures(newcomer)).failures).toBe(0)
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
