/**
 * Edges of the engine found in review: resets that must not widen, usernames reset in their
 * counted form, adapters that pass no headers, `once` listeners removed by `off`, the lockout
 * message of a request without a cool-off, and store errors logged once per prefix.
 */

import { describe, expect, it } from 'vitest'
import {
  type AxesError,
  type AxesHandler,
  type AxesLogRecord,
  type AxesRequest,
  memoryHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const request = (username: string, ip = '10.0.0.1'): AxesRequest => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'edge' },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

const quiet = { silencedChecks: ['axes.W002', 'axes.W003'], logger: false as const }

describe('reset', () => {
  it('refuses an empty IP or username instead of deleting every attempt', async () => {
    const axes = createAxes({ ...quiet, lockoutParameters: ['ip_address'] })
    await axes.loginFailed(request('alice'))
    for (const filter of [{ ip: '' }, { username: '' }]) {
      const error = (await axes.reset(filter).then(
        () => null,
        (e: unknown) => e,
      )) as AxesError | null
      expect(error?.code).toBe('AXES_INVALID_RESET')
    }
    expect((await axes.isAllowed(request('alice'))).failures).toBe(1)
    expect(await axes.reset()).toBe(1)
  })

  it('resets a username in the form it is counted (usernameNormalization)', async () => {
    const axes = createAxes({
      ...quiet,
      lockoutParameters: ['username'],
      usernameNormalization: 'nfkc-casefold',
    })
    await axes.loginFailed(request('Bob'))
    await axes.loginFailed(request('ＢＯＢ'))
    expect((await axes.isAllowed(request('bob'))).failures).toBe(2)
    expect(await axes.reset({ username: 'BOB' })).toBe(1)
    expect((await axes.isAllowed(request('bob'))).failures).toBe(0)
  })

  it('resetRequest normalises the username parameter too', async () => {
    const axes = createAxes({
      ...quiet,
      lockoutParameters: ['username'],
      usernameNormalization: 'casefold',
    })
    await axes.loginFailed(request('Carol'))
    const reset = await axes.resetRequest({
      ...request('x'),
      query: new URLSearchParams({ username: 'CAROL' }),
    })
    expect(reset).toBe(1)
  })
})

describe('requests without headers', () => {
  it('answers with a decision when an adapter passes no headers object', async () => {
    const axes = createAxes({ ...quiet })
    const bare = { ...request('alice'), headers: null } as unknown as AxesRequest
    const decision = await axes.loginFailed(bare)
    expect(decision).toMatchObject({ allowed: true, failures: 1 })
    expect(decision.client.userAgent).toBe('<unknown>')
  })
})

describe('events', () => {
  it('off() removes a listener added with once()', async () => {
    const axes = createAxes({ ...quiet })
    const seen: string[] = []
    const listener = () => {
      seen.push('failed')
    }
    axes.once('loginFailed', listener)
    axes.off('loginFailed', listener)
    await axes.loginFailed(request('alice'))
    expect(seen).toEqual([])
    axes.once('loginFailed', listener)
    await axes.loginFailed(request('alice'))
    await axes.loginFailed(request('alice'))
    expect(seen).toEqual(['failed'])
  })
})

describe('lockout message', () => {
  it('is the permanent-lock message when the cool-off function gives none for this request', async () => {
    const axes = createAxes({
      ...quiet,
      failureLimit: 1,
      cooloffTime: (req) => (req.path === '/admin/login' ? null : '1h'),
    })
    const admin = { ...request('root'), path: '/admin/login' }
    const decision = await axes.loginFailed(admin)
    expect(decision).toMatchObject({ lockedOut: true, cooloffMs: null })
    const response = await axes.lockoutResponse(admin, decision)
    expect(response.body).toBe(
      'Account locked: too many login attempts. Contact an admin to unlock your account.',
    )
    const user = await axes.loginFailed(request('alice', '10.0.0.2'))
    expect((await axes.lockoutResponse(request('alice', '10.0.0.2'), user)).body).toBe(
      'Account locked: too many login attempts. Please try again later.',
    )
  })
})

describe('store errors', () => {
  it('are logged with one prefix, naming the handler and the policy', async () => {
    const broken = memoryHandler()
    const handler: AxesHandler = {
      name: 'broken',
      shared: broken.shared,
      kind: broken.kind,
      getFailures: broken.getFailures.bind(broken),
      reserve: () => Promise.reject(new Error('connection refused')),
      settle: broken.settle.bind(broken),
      recordFailure: broken.recordFailure.bind(broken),
      resetBuckets: broken.resetBuckets.bind(broken),
      resetAttempts: broken.resetAttempts.bind(broken),
    }
    const lines: string[] = []
    const logger = {
      info: () => {},
      warn: () => {},
      error: (record: AxesLogRecord) => {
        lines.push(record.msg)
      },
    }
    const axes = createAxes({ handler, logger, silencedChecks: ['axes.W002'] })
    const reservation = await axes.reserve(request('alice'))
    expect(reservation.decision).toMatchObject({ allowed: false, reason: 'storeError' })
    expect(lines).toEqual([
      'AXES: the broken handler failed in reserve: connection refused (onStoreError: failClosed)',
    ])
  })
})
