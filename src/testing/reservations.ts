/**
 * The conformance cases of reservations and concurrency: exact limits when many attempts arrive at
 * once, places freed on success or cancel, reservations that expire, late settles, and attempts
 * refused during a lockout.
 *
 * @module
 */

import { expect, it } from 'vitest'
import { type ConformanceSuite, conformanceInput } from './fixtures.js'

/** Registers the reservation and concurrency cases. */
export function reservationCases(suite: ConformanceSuite): void {
  const { t0, concurrency, fail } = suite
  it('reserves exactly as many attempts as are left, however many arrive at once', async () => {
    const inputs = Array.from({ length: concurrency }, () => conformanceInput({}, { now: t0 }))
    const results = await Promise.all(inputs.map((input) => suite.handler.reserve(input)))
    const reserved = results.filter((r) => r.outcome === 'reserved')
    expect(reserved).toHaveLength(3)
    expect(results.filter((r) => r.outcome === 'busy')).toHaveLength(concurrency - 3)
    const settled = await Promise.all(
      reserved.map((r) =>
        suite.handler.settle({
          ...conformanceInput({}, { now: t0 + 1 }),
          reservation: r.reservation as string,
          outcome: 'failure',
        }),
      ),
    )
    expect(Math.max(...settled.map((s) => s.failures))).toBe(3)
    const next = await suite.handler.reserve(conformanceInput({}, { now: t0 + 2 }))
    expect(next.outcome).toBe('locked')
  })

  it('counts every one of many parallel failures', async () => {
    const rule = { failureLimit: concurrency * 10 }
    await Promise.all(
      Array.from({ length: concurrency }, () => fail(conformanceInput({}, { rule, now: t0 }))),
    )
    const state = await suite.handler.getFailures(conformanceInput({}, { rule, now: t0 }))
    expect(state.failures).toBe(concurrency)
  })

  it('frees a place on success or cancel, and settles a token only once', async () => {
    const first = await suite.handler.reserve(conformanceInput({}, { now: t0 }))
    expect(first.outcome).toBe('reserved')
    const token = first.reservation as string
    const input = { ...conformanceInput({}, { now: t0 }), reservation: token }
    await suite.handler.settle({ ...input, outcome: 'success' })
    await suite.handler.settle({ ...input, outcome: 'failure' })
    expect((await suite.handler.getFailures(conformanceInput({}, { now: t0 }))).failures).toBe(0)
    const held = []
    for (let i = 0; i < 3; i++)
      held.push(await suite.handler.reserve(conformanceInput({}, { now: t0 })))
    expect(held.map((r) => r.outcome)).toEqual(['reserved', 'reserved', 'reserved'])
    expect((await suite.handler.reserve(conformanceInput({}, { now: t0 }))).outcome).toBe('busy')
    await suite.handler.settle({
      ...conformanceInput({}, { now: t0 }),
      reservation: held[0]?.reservation as string,
      outcome: 'cancel',
    })
    expect((await suite.handler.reserve(conformanceInput({}, { now: t0 }))).outcome).toBe(
      'reserved',
    )
  })

  it('drops places never settled once the reservation time has passed', async () => {
    const rule = { reservationTtlMs: 5_000 }
    for (let i = 0; i < 3; i++) await suite.handler.reserve(conformanceInput({}, { rule, now: t0 }))
    expect((await suite.handler.reserve(conformanceInput({}, { rule, now: t0 + 1 }))).outcome).toBe(
      'busy',
    )
    const later = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 + 5_001 }))
    expect(later.outcome).toBe('reserved')
  })

  it('gives back no place when settled after its reservation time: newer reservations hold them', async () => {
    const rule = { reservationTtlMs: 5_000 }
    const late = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 }))
    expect(late.outcome).toBe('reserved')
    // Its time passes, its place with it; three newer reservations take every attempt left.
    for (let i = 0; i < 3; i++) {
      const newer = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 + 5_001 }))
      expect(newer.outcome).toBe('reserved')
    }
    const full = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 + 5_002 }))
    expect(full.outcome).toBe('busy')
    for (const outcome of ['cancel', 'success'] as const) {
      await suite.handler.settle({
        ...conformanceInput({}, { rule, now: t0 + 5_003 }),
        reservation: late.reservation as string,
        outcome,
      })
      // Four in flight with three attempts left, had the late settle freed a newer one's place.
      const after = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 + 5_004 }))
      expect(after.outcome).toBe('busy')
    }
  })

  it('still records a failure settled after its reservation time, or after a reset', async () => {
    const rule = { reservationTtlMs: 5_000 }
    const late = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 }))
    const afterReset = await suite.handler.reserve(conformanceInput({}, { rule, now: t0 }))
    const settleAt = (token: string | null, now: number) =>
      suite.handler.settle({
        ...conformanceInput({}, { rule, now }),
        reservation: token as string,
        outcome: 'failure',
      })
    expect((await settleAt(late.reservation, t0 + 6_000)).failures).toBe(1)
    await suite.handler.resetAttempts({})
    expect((await settleAt(afterReset.reservation, t0 + 1_000)).failures).toBe(1)
  })

  it('records attempts refused during a lockout when recordLockedAttempts is on, and only then', async () => {
    for (let i = 0; i < 3; i++) await fail(conformanceInput({}, { now: t0 }))
    const quiet = await suite.handler.reserve(
      conformanceInput({}, { rule: { recordLockedAttempts: false }, now: t0 + 10 }),
    )
    expect(quiet).toMatchObject({ outcome: 'locked', recorded: false, failures: 3 })
    expect(quiet.lockedUntil).toBe(t0 + 3_600_000)
    const loud = await suite.handler.reserve(conformanceInput({}, { now: t0 + 20 }))
    expect(loud).toMatchObject({ outcome: 'locked', recorded: true, failures: 4 })
    expect(loud.lockedUntil).toBe(t0 + 20 + 3_600_000)
  })
}
