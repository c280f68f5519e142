// The dummy and the test handler store nothing, on one ground (src/handlers/dummy.ts): what each
// method answers, which methods each has, and what the test handler records.

import { describe, expect, it } from 'vitest'
import { capabilitiesOf, createAxes, dummyHandler, testHandler } from '../../src/index.js'

const zero = { failures: 0, lockedUntil: null }
const input = { buckets: [], rule: null, attempt: null, now: 0 } as never

describe('the handlers that store nothing', () => {
  it('answer every count with 0 and every reservation with their own token', async () => {
    for (const handler of [dummyHandler(), testHandler()]) {
      expect(await handler.getFailures(input)).toEqual(zero)
      expect(await handler.settle(input)).toEqual(zero)
      expect(await handler.recordFailure(input)).toEqual(zero)
      expect(await handler.reserve(input)).toEqual({
        ...zero,
        outcome: 'reserved',
        reservation: handler.name,
        recorded: false,
      })
      expect(await handler.resetBuckets([])).toBe(0)
      expect(await handler.resetAttempts({})).toBe(0)
      const listing = await handler.listAttempts?.({ now: 0 })
      expect(listing).toEqual([])
      expect(await handler.listAttempts?.({ now: 0 })).not.toBe(listing)
    }
  })

  it('the dummy has no access logs; the test handler has them, doing nothing', async () => {
    const dummy = dummyHandler()
    expect(dummy).toMatchObject({ name: 'dummy', kind: 'dummy', shared: true })
    expect(dummy.loggedIn).toBeUndefined()
    expect(dummy.resetLogs).toBeUndefined()
    expect(capabilitiesOf(dummy)).toMatchObject({ logs: false, list: true })
    const test = testHandler()
    expect(test).toMatchObject({ name: 'test', kind: 'test', shared: true })
    expect(test.supports).toBeUndefined()
    expect(capabilitiesOf(test)).toMatchObject({ logs: true, list: true, browse: false })
    expect(await test.loggedIn?.({} as never)).toBeUndefined()
    expect(await test.loggedOut?.({} as never)).toBeUndefined()
    expect(await test.resetLogs?.({ ageDays: null })).toBe(0)
    expect(await test.resetFailureLogs?.({ ageDays: null })).toBe(0)
  })

  it('the test handler records each call, oldest first, with its argument', async () => {
    const handler = testHandler()
    const axes = createAxes({ handler, logger: false })
    const request = { method: 'POST', path: '/login', headers: {}, socketAddress: '192.0.2.9' }
    await axes.protect(request, { username: 'alice' }, () => null)
    expect(await axes.reset({ username: 'alice' })).toBe(0)
    expect(handler.calls.map((call) => call.method)).toEqual(['reserve', 'settle', 'resetAttempts'])
    expect(handler.calls[2]?.input).toEqual({ username: 'alice', ipOrUsername: false })
    expect(handler.calls[1]?.input).toMatchObject({ reservation: 'test', outcome: 'failure' })
  })
})
