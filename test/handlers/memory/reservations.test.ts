/**
 * The memory handler's reservations (src/handlers/memory/reservations.ts) beyond the conformance
 * suite: more than the ring's initial 1,024 reservations in flight, places held per bucket, late
 * and repeated settles, eviction while a reservation is pending, and the results' shape.
 */
import { describe, expect, it } from 'vitest'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { conformanceInput } from '../../../src/testing/index.js'

const t0 = 1_700_000_000_000

describe('memory handler: reservations', () => {
  it('keeps every one of more than 1,024 reservations in flight, each settled once', async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 5000 }
    const input = (now: number) => conformanceInput({}, { rule, now })
    const tokens: string[] = []
    for (let i = 0; i < 2500; i++) {
      const result = await handler.reserve(input(t0 + i))
      expect(result.outcome).toBe('reserved')
      tokens.push(result.reservation as string)
    }
    expect(new Set(tokens).size).toBe(2500)
    // Settled in another order than they were opened: each one counts, exactly once.
    for (const token of [...tokens].reverse()) {
      await handler.settle({ ...input(t0 + 3000), reservation: token, outcome: 'failure' })
    }
    expect((await handler.getFailures(input(t0 + 3000))).failures).toBe(2500)
    for (const token of tokens.slice(0, 10)) {
      await handler.settle({ ...input(t0 + 3001), reservation: token, outcome: 'failure' })
    }
    expect((await handler.getFailures(input(t0 + 3001))).failures).toBe(2500)
  })

  it('keeps reservations in flight past the ring while settled ones are reused', async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 5000 }
    const input = (now: number) => conformanceInput({}, { rule, now })
    const held = await handler.reserve(input(t0))
    // 3,000 more come and go while the first is still in flight.
    for (let i = 0; i < 3000; i++) {
      const r = await handler.reserve(input(t0 + 1))
      await handler.settle({
        ...input(t0 + 1),
        reservation: r.reservation as string,
        outcome: 'success',
      })
    }
    const settled = await handler.settle({
      ...input(t0 + 2),
      reservation: held.reservation as string,
      outcome: 'failure',
    })
    expect(settled.failures).toBe(1)
  })

  it('holds one place per reservation until it is settled, and gives them back one by one', async () => {
    const handler = memoryHandler()
    const input = conformanceInput({}, { now: t0 })
    const a = await handler.reserve(input)
    const b = await handler.reserve(input)
    expect(a).toEqual({
      failures: 0,
      lockedUntil: null,
      outcome: 'reserved',
      reservation: expect.stringMatching(/^\d+@\d+$/),
      recorded: false,
    })
    expect((a.reservation as string).endsWith(`@${t0 + 30_000}`)).toBe(true)
    const c = await handler.reserve(input)
    expect(c.outcome).toBe('reserved')
    expect(await handler.reserve(input)).toEqual({
      failures: 0,
      lockedUntil: null,
      outcome: 'busy',
      reservation: null,
      recorded: false,
    })
    await handler.settle({ ...input, reservation: a.reservation as string, outcome: 'success' })
    expect((await handler.reserve(input)).outcome).toBe('reserved')
    expect((await handler.reserve(input)).outcome).toBe('busy')
    // A failure settled gives back its place but takes one of the attempts left.
    const settled = await handler.settle({
      ...input,
      reservation: b.reservation as string,
      outcome: 'failure',
    })
    expect(settled).toEqual({ failures: 1, lockedUntil: null })
    expect((await handler.reserve(input)).outcome).toBe('busy')
  })

  it('a busy client is one whose places in any bucket are all held', async () => {
    const handler = memoryHandler()
    const parameters = ['ip_address', ['username', 'ip_address']] as const
    const client = (username: string) =>
      conformanceInput({ username }, { parameters: [...parameters], now: t0 })
    await handler.recordFailure(client('alice'))
    // The IP bucket has 1 failure and 2 places left; so has alice's username-and-IP bucket.
    for (let i = 0; i < 2; i++)
      expect((await handler.reserve(client('bob'))).outcome).toBe('reserved')
    // The IP bucket is full of bob's reservations: alice, whose pair bucket has room, waits.
    expect((await handler.reserve(client('alice'))).outcome).toBe('busy')
  })

  it('a place held by a reservation past its time is given back', async () => {
    const handler = memoryHandler()
    const rule = { reservationTtlMs: 1000 }
    const at = (now: number) => conformanceInput({}, { rule, now })
    for (let i = 0; i < 3; i++) await handler.reserve(at(t0))
    expect((await handler.reserve(at(t0 + 999))).outcome).toBe('busy')
    // The deadline itself: no longer held.
    expect((await handler.reserve(at(t0 + 1000))).outcome).toBe('reserved')
  })

  it('with lockOutAtFailure off, nothing is ever busy', async () => {
    const handler = memoryHandler()
    const input = conformanceInput({}, { rule: { lockOutAtFailure: false }, now: t0 })
    for (let i = 0; i < 10; i++) expect((await handler.reserve(input)).outcome).toBe('reserved')
  })

  it('a late failure counts; a late success, a token settled twice, or one not yet due does not', async () => {
    const handler = memoryHandler()
    const rule = { reservationTtlMs: 1000, failureLimit: 10 }
    const at = (now: number) => conformanceInput({}, { rule, now })
    const settle = async (now: number, outcome: 'failure' | 'success') => {
      const { reservation } = await handler.reserve(at(now))
      return (token = reservation as string, when = now + 5000) =>
        handler.settle({ ...at(when), reservation: token, outcome })
    }
    // A success after the deadline records nothing.
    expect(await (await settle(t0, 'success'))()).toEqual({ failures: 0, lockedUntil: null })
    // A failure after the deadline (the place was forgotten) still counts.
    expect((await (await settle(t0, 'failure'))()).failures).toBe(1)
    // A token settled once, then again after its deadline: the second is ignored.
    const { reservation } = await handler.reserve(at(t0 + 10))
    await handler.settle({ ...at(t0 + 10), reservation: reservation as string, outcome: 'failure' })
    expect((await handler.getFailures(at(t0 + 10))).failures).toBe(2)
    // Settled again before its deadline: nothing to do, it was settled already.
    const again = await handler.settle({
      ...at(t0 + 20),
      reservation: reservation as string,
      outcome: 'failure',
    })
    expect(again.failures).toBe(2)
  })

  it('a failure settled after a reset of everything counts; the reservation is not forgotten', async () => {
    const handler = memoryHandler()
    const input = conformanceInput({}, { now: t0 })
    const { reservation } = await handler.reserve(input)
    await handler.resetAttempts({})
    expect(handler.size).toBe(0)
    expect(
      await handler.settle({ ...input, reservation: reservation as string, outcome: 'failure' }),
    ).toEqual({ failures: 1, lockedUntil: null })
  })

  it('never evicts a bucket while a reservation is pending in it', async () => {
    const handler = memoryHandler({ maxBuckets: 2 })
    const at = (ipAddress: string) => conformanceInput({ ipAddress }, { now: t0 })
    const pending = at('10.9.9.9')
    const { reservation } = await handler.reserve(pending)
    await handler.recordFailure(at('10.0.0.1'))
    // The store is full: the oldest bucket is the pending one, but it holds a place; the next
    // oldest goes instead.
    await handler.recordFailure(at('10.0.0.2'))
    expect(handler.size).toBe(2)
    expect((await handler.getFailures(at('10.0.0.1'))).failures).toBe(0)
    expect((await handler.getFailures(at('10.0.0.2'))).failures).toBe(1)
    // Its place is still held: with two more in flight, the client is busy.
    for (let i = 0; i < 2; i++) expect((await handler.reserve(pending)).outcome).toBe('reserved')
    expect((await handler.reserve(pending)).outcome).toBe('busy')
    expect(
      await handler.settle({ ...pending, reservation: reservation as string, outcome: 'failure' }),
    ).toEqual({ failures: 1, lockedUntil: null })
  })

  it('when every other bucket is locked, a pending bucket is still kept (a lockout goes)', async () => {
    const handler = memoryHandler({ maxBuckets: 2 })
    const at = (ipAddress: string) => conformanceInput({ ipAddress }, { now: t0 })
    const pending = at('10.9.9.9')
    await handler.reserve(pending)
    for (let i = 0; i < 3; i++) await handler.recordFailure(at('10.0.0.1'))
    await handler.recordFailure(at('10.0.0.2'))
    expect(handler.size).toBe(2)
    // The lockout went, not the bucket holding a place.
    expect((await handler.getFailures(at('10.0.0.1'))).failures).toBe(0)
    for (let i = 0; i < 2; i++) expect((await handler.reserve(pending)).outcome).toBe('reserved')
    expect((await handler.reserve(pending)).outcome).toBe('busy')
  })

  it('a locked client is refused without a place; its attempt recorded only if the rule says', async () => {
    const handler = memoryHandler()
    const input = (now: number, recordLockedAttempts: boolean) =>
      conformanceInput({}, { rule: { recordLockedAttempts }, now })
    for (let i = 0; i < 3; i++) await handler.recordFailure(input(t0, false))
    expect(await handler.reserve(input(t0 + 5, false))).toEqual({
      failures: 3,
      lockedUntil: t0 + 3_600_000,
      outcome: 'locked',
      reservation: null,
      recorded: false,
    })
    expect(await handler.reserve(input(t0 + 7, true))).toEqual({
      failures: 4,
      lockedUntil: t0 + 7 + 3_600_000,
      outcome: 'locked',
      reservation: null,
      recorded: true,
    })
  })

  it('a place freed twice is not freed twice: the count of places never goes below zero', async () => {
    const handler = memoryHandler()
    const input = conformanceInput({}, { now: t0 })
    const a = await handler.reserve(input)
    await handler.settle({ ...input, reservation: a.reservation as string, outcome: 'cancel' })
    await handler.settle({ ...input, reservation: a.reservation as string, outcome: 'cancel' })
    await handler.settle({ ...input, reservation: 'nonsense', outcome: 'cancel' })
    for (let i = 0; i < 3; i++) expect((await handler.reserve(input)).outcome).toBe('reserved')
    expect((await handler.reserve(input)).outcome).toBe('busy')
  })

  it('a late settle never frees the place of a reservation made after its deadline', async () => {
    const handler = memoryHandler()
    const rule = { reservationTtlMs: 1000, failureLimit: 1 }
    const at = (now: number) => conformanceInput({}, { rule, now })
    for (const deadline of [t0 + 1000, t0 + 5000]) {
      const late = await handler.reserve(at(deadline - 1000))
      // Its time passes: its place is given back, and the one attempt left goes to a newer login.
      expect((await handler.reserve(at(deadline))).outcome).toBe('reserved')
      for (const outcome of ['success', 'cancel'] as const) {
        await handler.settle({ ...at(deadline), reservation: late.reservation as string, outcome })
        // The newer login still holds the one place: a third is refused.
        expect((await handler.reserve(at(deadline))).outcome).toBe('busy')
      }
      await handler.resetAttempts({})
    }
  })

  it('a failure settled at or after its deadline counts once, however often it is settled', async () => {
    const handler = memoryHandler()
    const rule = { reservationTtlMs: 1000, failureLimit: 10 }
    const at = (now: number) => conformanceInput({}, { rule, now })
    const { reservation } = await handler.reserve(at(t0))
    for (const now of [t0 + 1000, t0 + 1500, t0 + 9000]) {
      const settled = await handler.settle({
        ...at(now),
        reservation: reservation as string,
        outcome: 'failure',
      })
      expect(settled.failures, String(now - t0)).toBe(1)
    }
  })

  it("settling one client's reservation gives back that client's place only", async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 1 }
    const client = (ipAddress: string) => conformanceInput({ ipAddress }, { rule, now: t0 })
    const first = await handler.reserve(client('10.0.0.1'))
    const second = await handler.reserve(client('10.0.0.2'))
    await handler.settle({
      ...client('10.0.0.2'),
      reservation: second.reservation as string,
      outcome: 'success',
    })
    expect((await handler.reserve(client('10.0.0.2'))).outcome).toBe('reserved')
    expect((await handler.reserve(client('10.0.0.1'))).outcome).toBe('busy')
    expect(first.outcome).toBe('reserved')
  })

  it('a token it settled long ago, or one it never gave, frees no place of a newer reservation', async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 1 }
    const input = conformanceInput({}, { rule, now: t0 })
    const settle = (reservation: string) =>
      handler.settle({ ...input, reservation, outcome: 'cancel' })
    const first = await handler.reserve(input)
    await settle(first.reservation as string)
    // 1,024 more come and go: the ring reuses the first one's place for the newest.
    for (let i = 0; i < 1023; i++)
      await settle((await handler.reserve(input)).reservation as string)
    const newest = await handler.reserve(input)
    expect(newest.outcome).toBe('reserved')
    const seq = (newest.reservation as string).split('@')[0]
    for (const token of [
      first.reservation as string,
      '1',
      `${seq}0`,
      `${1025 + 1024}@${t0 + 30_000}`,
    ]) {
      await settle(token)
      expect((await handler.reserve(input)).outcome, token).toBe('busy')
    }
  })

  it('a reservation with a shorter time never shortens the hold of one in flight', async () => {
    const handler = memoryHandler()
    const at = (reservationTtlMs: number, now: number) =>
      conformanceInput({}, { rule: { reservationTtlMs, failureLimit: 2 }, now })
    await handler.reserve(at(10_000, t0))
    await handler.reserve(at(1000, t0))
    // A bucket's places are held until the latest deadline of those in flight.
    expect((await handler.reserve(at(1000, t0 + 2000))).outcome).toBe('busy')
    expect((await handler.reserve(at(1000, t0 + 10_000))).outcome).toBe('reserved')
  })

  it('after a reset, a reservation made before it frees no place of one made after', async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 1 }
    const input = conformanceInput({}, { rule, now: t0 })
    const before = await handler.reserve(input)
    await handler.resetBuckets(input.buckets)
    const after = await handler.reserve(input)
    await handler.settle({ ...input, reservation: after.reservation as string, outcome: 'success' })
    await handler.settle({
      ...input,
      reservation: before.reservation as string,
      outcome: 'success',
    })
    // No place is held now; one login takes the one attempt left, and the next waits.
    expect((await handler.reserve(input)).outcome).toBe('reserved')
    expect((await handler.reserve(input)).outcome).toBe('busy')
  })

  it('a failure settled twice counts once, even once the ring has grown past it', async () => {
    const handler = memoryHandler()
    const rule = { failureLimit: 5000 }
    const input = conformanceInput({}, { rule, now: t0 })
    const { reservation } = await handler.reserve(input)
    const settle = () =>
      handler.settle({ ...input, reservation: reservation as string, outcome: 'failure' })
    expect((await settle()).failures).toBe(1)
    // 1,100 logins in flight: the ring grows, and forgets the settled reservation.
    for (let i = 0; i < 1100; i++) await handler.reserve(input)
    expect((await settle()).failures).toBe(1)
  })
})
