// The handler contract by role: every handler counts; access logs, listing and the admin pages'
// browsing are capabilities a handler declares (or, undeclared, has all the methods of), asked once.

import { describe, expect, it } from 'vitest'
import {
  type AxesHandler,
  CAPABILITY_METHODS,
  capabilitiesOf,
  createAxes,
  dummyHandler,
  HANDLER_METHODS,
  memoryHandler,
} from '../../src/index.js'

/** A counting store with nothing else: the smallest handler there is. */
function countingOnly(): AxesHandler {
  const memory = memoryHandler()
  return {
    name: 'counting-only',
    shared: false,
    kind: 'custom',
    getFailures: (input) => memory.getFailures(input),
    reserve: (input) => memory.reserve(input),
    settle: (input) => memory.settle(input),
    recordFailure: (input) => memory.recordFailure(input),
    resetBuckets: (buckets) => memory.resetBuckets(buckets),
    resetAttempts: (filter) => memory.resetAttempts(filter),
  }
}

const request = { method: 'POST', path: '/login', headers: {}, socketAddress: '192.0.2.1' }

describe('capabilitiesOf', () => {
  it('reads undeclared capabilities from the methods, all of a capability or none', () => {
    expect(capabilitiesOf(countingOnly())).toEqual({
      logs: false,
      list: false,
      browse: false,
      browseLogs: false,
      locks: false,
      buckets: false,
    })
    const halfLogs = { ...countingOnly(), loggedIn: async () => {} }
    expect(capabilitiesOf(halfLogs).logs).toBe(false)
    expect(capabilitiesOf(memoryHandler())).toMatchObject({
      list: true,
      browse: false,
      buckets: true,
    })
  })

  it('takes what a handler declares over what its methods say', () => {
    expect(capabilitiesOf(dummyHandler())).toEqual({
      logs: false,
      list: true,
      browse: false,
      browseLogs: false,
      locks: false,
      buckets: false,
    })
    const declared = { ...countingOnly(), supports: { list: false } }
    expect(capabilitiesOf({ ...declared, listAttempts: async () => [] }).list).toBe(false)
  })

  it('names the counting methods as the only required ones', () => {
    expect([...HANDLER_METHODS]).toEqual([
      'getFailures',
      'reserve',
      'settle',
      'recordFailure',
      'resetBuckets',
      'resetAttempts',
    ])
    expect(Object.keys(CAPABILITY_METHODS)).toEqual([
      'logs',
      'list',
      'browse',
      'browseLogs',
      'locks',
      'buckets',
    ])
  })
})

describe('an instance on a handler that only counts', () => {
  it('is accepted, counts, and treats the access log as absent', async () => {
    const axes = createAxes({ handler: countingOnly(), logger: false, failureLimit: 2 })
    expect(axes.capabilities).toEqual({
      logs: false,
      list: false,
      browse: false,
      browseLogs: false,
      locks: false,
      buckets: false,
    })
    const body = { username: 'alice' }
    await axes.loginFailed({ ...request, body }, body)
    const locked = await axes.loginFailed({ ...request, body }, body)
    expect(locked.lockedOut).toBe(true)
    await expect(axes.loggedIn({ ...request, body }, 'alice')).resolves.toBeUndefined()
    await expect(axes.loggedOut({ ...request, body }, 'alice')).resolves.toBeUndefined()
    expect(await axes.resetLogs()).toBe(0)
    expect(await axes.resetFailureLogs({ age: 1 })).toBe(0)
    await expect(axes.listAttempts()).rejects.toMatchObject({ code: 'AXES_NOT_SUPPORTED' })
    await expect(axes.queryAttempts({ offset: 0, limit: 10 })).rejects.toMatchObject({
      code: 'AXES_NOT_SUPPORTED',
    })
  })

  it('is refused when it declares a capability without its methods', () => {
    const claims = { ...countingOnly(), supports: { logs: true } }
    expect(() => createAxes({ handler: claims, logger: false })).toThrow(
      /it lacks loggedIn, loggedOut, resetLogs, resetFailureLogs/,
    )
  })
})
