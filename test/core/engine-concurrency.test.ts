/**
 * Exact limits under concurrency: beyond django-axes, whose check-then-record lets a burst of
 * parallel requests get far more than AXES_FAILURE_LIMIT tries (its issue #592, "won't fix").
 * node-axes reserves the attempt before the password is verified, so N parallel wrong passwords
 * reach the verifier exactly `failureLimit` times.
 *
 * Every verifier here awaits a real timer, so that all the attempts are in flight together.
 */

import { describe, expect, it } from 'vitest'
import type {
  AxesOptions,
  AxesRequest,
  Credentials,
  LockoutDecision,
  LockoutParameterItem,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const N = 1000

function makeRequest(username = 'alice', ip = '10.1.1.1', ua = 'bot/1.0'): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': ua },
    socketAddress: ip,
    body: { username, password: 'wrong' },
  }
}

const wrong = (username = 'alice'): Credentials => ({ username, password: 'wrong' })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function setup(options: AxesOptions) {
  const clock = { now: T0 }
  const axes = createAxes({ logger: false, clock: () => clock.now, ...options })
  let verified = 0
  const slowWrongVerify = async () => {
    verified++
    await sleep(5)
    return null
  }
  return { axes, clock, verify: slowWrongVerify, verified: () => verified }
}

function tally(decisions: LockoutDecision[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const d of decisions) out[d.reason] = (out[d.reason] ?? 0) + 1
  return out
}

const PARAMETERS: [string, LockoutParameterItem[]][] = [
  ['["ip_address"]', ['ip_address']],
  ['["username"]', ['username']],
  ['[["username","ip_address"]]', [['username', 'ip_address']]],
  ['["username","ip_address"]', ['username', 'ip_address']],
  ['["ip_address",["username","user_agent"]]', ['ip_address', ['username', 'user_agent']]],
]
const LIMITS = [1, 3, 10]
const CASES = PARAMETERS.flatMap(([label, parameters]) =>
  LIMITS.map((limit) => ({ label, parameters, limit })),
)

describe(`${N} parallel wrong passwords for one client reach the verifier exactly failureLimit times`, () => {
  it.each(CASES)('protect, $label, limit $limit', async ({ parameters, limit }) => {
    const { axes, verify, verified } = setup({ failureLimit: limit, lockoutParameters: parameters })
    const results = await Promise.all(
      Array.from({ length: N }, () => axes.protect(makeRequest(), wrong(), verify)),
    )
    expect(verified()).toBe(limit)
    expect(results.every((r) => !r.ok)).toBe(true)
    // limit − 1 failures still allowed, the one that reached the limit locked, the rest refused
    // while those were in flight.
    const expected: Record<string, number> = { lockedOut: 1, tooManyInFlight: N - limit }
    if (limit > 1) expected.allowed = limit - 1
    expect(tally(results.map((r) => r.decision))).toEqual(expected)
    const failures = results
      .map((r) => r.decision)
      .filter((d) => d.recorded)
      .map((d) => d.failures)
      .sort((a, b) => a - b)
    expect(failures).toEqual(Array.from({ length: limit }, (_, i) => i + 1))
    const after = await axes.isAllowed(makeRequest(), wrong())
    expect(after).toMatchObject({ allowed: false, reason: 'lockedOut', failures: limit })
  })

  it.each(CASES)(
    'reserve + failed by hand, $label, limit $limit',
    async ({ parameters, limit }) => {
      const { axes } = setup({ failureLimit: limit, lockoutParameters: parameters })
      const reservations = await Promise.all(
        Array.from({ length: N }, () => axes.reserve(makeRequest(), wrong())),
      )
      const held = reservations.filter((r) => r.decision.allowed)
      expect(held).toHaveLength(limit)
      expect(reservations.filter((r) => r.decision.reason === 'tooManyInFlight').length).toBe(
        N - limit,
      )
      const settled = await Promise.all(
        held.map(async (reservation) => {
          await sleep(2)
          return reservation.failed()
        }),
      )
      expect(settled.map((d) => d.failures).sort((a, b) => a - b)).toEqual(
        Array.from({ length: limit }, (_, i) => i + 1),
      )
      expect(settled.filter((d) => d.reason === 'lockedOut')).toHaveLength(1)
      expect(await axes.isAllowed(makeRequest(), wrong())).toMatchObject({
        reason: 'lockedOut',
        failures: limit,
      })
    },
  )

  it('each task reserving, awaiting and failing on its own gives the same count', async () => {
    const { axes } = setup({ failureLimit: 4 })
    let verified = 0
    const decisions = await Promise.all(
      Array.from({ length: N }, async () => {
        const reservation = await axes.reserve(makeRequest(), wrong())
        if (!reservation.decision.allowed) return reservation.decision
        verified++
        await sleep(3)
        return reservation.failed()
      }),
    )
    expect(verified).toBe(4)
    expect(tally(decisions)).toEqual({ allowed: 3, lockedOut: 1, tooManyInFlight: N - 4 })
  })

  it('holds the username limit across many IPs with OR parameters', async () => {
    const { axes, verify, verified } = setup({
      failureLimit: 3,
      lockoutParameters: ['username', 'ip_address'],
    })
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        axes.protect(makeRequest('alice', `10.${i >> 8}.${i & 255}.1`), wrong(), verify),
      ),
    )
    expect(verified()).toBe(3)
    expect(await axes.isAllowed(makeRequest('alice', '192.0.2.1'), wrong())).toMatchObject({
      reason: 'lockedOut',
      failures: 3,
    })
  })

  it('gives each client its own limit when many clients attack at once', async () => {
    const { axes } = setup({ failureLimit: 2 })
    const perIp = new Map<string, number>()
    await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const ip = `10.0.0.${i % 20}`
        return axes.protect(makeRequest('alice', ip), wrong(), async () => {
          perIp.set(ip, (perIp.get(ip) ?? 0) + 1)
          await sleep(5)
          return null
        })
      }),
    )
    expect(perIp.size).toBe(20)
    expect([...perIp.values()].every((count) => count === 2)).toBe(true)
  })

  it('lets a valid password through among parallel wrong ones without exceeding the limit', async () => {
    const { axes } = setup({ failureLimit: 3 })
    let verified = 0
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        axes.protect(
          makeRequest(),
          i === 0 ? { username: 'alice', password: 'right' } : wrong(),
          async (c) => {
            verified++
            await sleep(5)
            return c?.password === 'right' ? { username: 'alice' } : null
          },
        ),
      ),
    )
    expect(verified).toBe(3)
    expect(results[0]?.ok).toBe(true)
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    // The success recorded nothing: two failures, one left.
    expect(await axes.isAllowed(makeRequest(), wrong())).toMatchObject({
      allowed: true,
      failures: 2,
      remaining: 1,
    })
  })

  it('gives exactly failureLimit tries again once the cool-off has passed', async () => {
    const { axes, clock, verify, verified } = setup({ failureLimit: 3, cooloffTime: '1m' })
    await Promise.all(Array.from({ length: N }, () => axes.protect(makeRequest(), wrong(), verify)))
    expect(verified()).toBe(3)
    clock.now = T0 + 60_000
    await Promise.all(Array.from({ length: N }, () => axes.protect(makeRequest(), wrong(), verify)))
    expect(verified()).toBe(6)
  })

  it('frees the places of reservations never settled once reservationTimeout has passed', async () => {
    const { axes, clock } = setup({ failureLimit: 2, reservationTimeout: '10s' })
    const abandoned = await Promise.all(
      Array.from({ length: N }, () => axes.reserve(makeRequest(), wrong())),
    )
    expect(abandoned.filter((r) => r.decision.allowed)).toHaveLength(2)
    clock.now = T0 + 9_999
    expect((await axes.reserve(makeRequest(), wrong())).decision.reason).toBe('tooManyInFlight')
    clock.now = T0 + 10_000
    const again = await Promise.all(
      Array.from({ length: N }, () => axes.reserve(makeRequest(), wrong())),
    )
    expect(again.filter((r) => r.decision.allowed)).toHaveLength(2)
  })
})

describe('parallel loginFailed (failures reported after the fact)', () => {
  it(`loses no increment over ${N} parallel calls`, async () => {
    const { axes } = setup({ failureLimit: 5 })
    let failedEvents = 0
    let lockedEvents = 0
    axes.on('loginFailed', () => failedEvents++)
    axes.on('lockedOut', () => lockedEvents++)
    const decisions = await Promise.all(
      Array.from({ length: N }, () => axes.loginFailed(makeRequest(), wrong())),
    )
    expect(decisions.map((d) => d.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: N }, (_, i) => i + 1),
    )
    expect(decisions.filter((d) => d.allowed)).toHaveLength(4)
    expect(failedEvents).toBe(N)
    expect(lockedEvents).toBe(N - 4)
    expect((await axes.isAllowed(makeRequest(), wrong())).failures).toBe(N)
  })

  it('loses no increment in any bucket with OR parameters and lockOutAtFailure false', async () => {
    const { axes } = setup({
      lockOutAtFailure: false,
      lockoutParameters: ['username', 'ip_address'],
    })
    await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const name = i % 2 === 0 ? 'alice' : 'bob'
        return axes.loginFailed(makeRequest(name), wrong(name))
      }),
    )
    const listed = await axes.listAttempts()
    const byKey = Object.fromEntries(
      listed.map((a) => [`${a.username ?? '-'}@${a.ipAddress ?? '-'}`, a.failures]),
    )
    expect(byKey).toEqual({ 'alice@-': N / 2, 'bob@-': N / 2, '-@10.1.1.1': N })
  })
})
