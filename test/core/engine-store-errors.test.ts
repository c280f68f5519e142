/**
 * The store-failure policy (beyond django-axes, whose handlers let a database or cache error
 * escape into the login): a handler that fails gives a `storeError` decision, refused under the
 * default `onStoreError: 'failClosed'` (a 503) and let through under `'failOpen'`; every failure is
 * logged and emitted as `storeError`; nothing throws into the login; counting resumes when the
 * store comes back.
 */

import { describe, expect, it } from 'vitest'
import {
  type AxesHandler,
  type AxesLogger,
  type AxesOptions,
  type AxesRequest,
  AxesStoreError,
  CAPABILITY_METHODS,
  type Credentials,
  HANDLER_METHODS,
  memoryHandler,
  type StoreErrorEvent,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const STORE_ERROR_MESSAGE =
  'Login is temporarily unavailable: attempts cannot be checked right now. Please try again shortly.'

// The counting methods and the access log's: a handler that keeps logs, failing in all of them.
const METHODS = [...HANDLER_METHODS, ...CAPABILITY_METHODS.logs]

/** A handler whose every method rejects (or, with `sync`, throws before returning a promise). */
function failingHandler(cause: Error, sync = false): AxesHandler {
  const fail = sync
    ? () => {
        throw cause
      }
    : () => Promise.reject(cause)
  const handler: Record<string, unknown> = { name: 'failing', shared: true, kind: 'custom' }
  for (const method of METHODS) handler[method] = fail
  return handler as unknown as AxesHandler
}

/** Calls the memory handler's method; it keeps no access log, so those calls write nothing. */
function logFallback(inner: object, method: string, args: unknown[]): Promise<unknown> {
  const fn = (inner as Record<string, unknown>)[method]
  if (typeof fn === 'function')
    return (fn as (...a: unknown[]) => Promise<unknown>).apply(inner, args)
  return Promise.resolve(method.startsWith('reset') ? 0 : undefined)
}

/** The memory handler behind a switch: while `down`, every method rejects. */
function flakyHandler() {
  const inner = memoryHandler()
  const state = { down: true }
  const handler: Record<string, unknown> = { name: 'flaky', shared: true, kind: 'custom' }
  for (const method of METHODS) {
    handler[method] = (...args: unknown[]) =>
      state.down
        ? Promise.reject(new Error('connection refused'))
        : logFallback(inner, method, args)
  }
  return { handler: handler as unknown as AxesHandler, state }
}

function makeRequest(): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': 'test' },
    socketAddress: '10.1.1.1',
    body: { username: 'alice', password: 'x' },
  }
}

const creds = (password = 'wrong'): Credentials => ({ username: 'alice', password })

function setup(options: AxesOptions) {
  const errors: string[] = []
  const logger: AxesLogger = { info: () => {}, warn: () => {}, error: (r) => errors.push(r.msg) }
  const axes = createAxes({ logger, clock: () => T0, failureLimit: 2, ...options })
  const events: StoreErrorEvent[] = []
  axes.on('storeError', (event) => {
    events.push(event)
  })
  return { axes, errors, events }
}

describe.each([
  ['rejects', false],
  ['throws synchronously', true],
])('a handler that %s', (_, sync) => {
  const cause = new Error('ECONNREFUSED 127.0.0.1:5432')

  it("under the default 'failClosed' refuses with reason storeError, emits and logs, never throws", async () => {
    const { axes, errors, events } = setup({ handler: failingHandler(cause, sync) })
    const decision = await axes.isAllowed(makeRequest(), creds())
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'storeError',
      lockedOut: false,
      failures: 0,
      recorded: false,
      lockedUntil: null,
      retryAfterMs: null,
    })
    expect(decision.error).toBeInstanceOf(AxesStoreError)
    expect(decision.error?.cause).toBe(cause)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ operation: 'getFailures', policy: 'failClosed' })
    expect(events[0]?.error).toBe(decision.error)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /^AXES: .*the failing handler failed in getFailures: ECONNREFUSED 127\.0\.0\.1:5432 \(onStoreError: failClosed\)$/,
    )
    const response = await axes.lockoutResponse(makeRequest(), decision)
    expect(response.status).toBe(503)
    expect(response.body).toBe(STORE_ERROR_MESSAGE)
  })

  it("under 'failClosed' never reaches the verifier through protect or reserve", async () => {
    const { axes, events } = setup({ handler: failingHandler(cause, sync) })
    let verified = 0
    const result = await axes.protect(makeRequest(), creds('right'), () => {
      verified++
      return { username: 'alice' }
    })
    expect(verified).toBe(0)
    expect(result.ok).toBe(false)
    expect(result.decision).toMatchObject({ allowed: false, reason: 'storeError' })
    const reservation = await axes.reserve(makeRequest(), creds())
    expect(reservation.decision).toMatchObject({ allowed: false, reason: 'storeError' })
    expect(await reservation.failed()).toBe(reservation.decision)
    await reservation.release()
    await reservation.succeeded()
    expect(events.map((e) => e.operation)).toEqual(['reserve', 'reserve'])
  })

  it('answers loginFailed with a storeError decision instead of throwing', async () => {
    const { axes, events } = setup({ handler: failingHandler(cause, sync) })
    let failed = 0
    axes.on('loginFailed', () => failed++)
    const decision = await axes.loginFailed(makeRequest(), creds())
    expect(decision).toMatchObject({ allowed: false, reason: 'storeError', recorded: false })
    expect(events.map((e) => e.operation)).toEqual(['recordFailure'])
    expect(failed).toBe(0)
    const strict = setup({
      handler: failingHandler(cause, sync),
      resetCoolOffOnFailureDuringLockout: false,
    })
    expect(await strict.axes.loginFailed(makeRequest(), creds())).toMatchObject({
      reason: 'storeError',
    })
  })

  it('lets loggedIn, loggedOut and reset-on-success fail quietly, still emitting loggedIn', async () => {
    const { axes, events } = setup({ handler: failingHandler(cause, sync), resetOnSuccess: true })
    let loggedIn = 0
    axes.on('loggedIn', () => loggedIn++)
    await expect(axes.loggedIn(makeRequest(), 'alice')).resolves.toBeUndefined()
    await expect(axes.loggedOut(makeRequest(), 'alice')).resolves.toBeUndefined()
    expect(loggedIn).toBe(1)
    expect(events.map((e) => e.operation)).toEqual(['loggedIn', 'resetBuckets', 'loggedOut'])
  })

  it("under 'failOpen' lets the attempt through, still emitting and logging", async () => {
    const { axes, events, errors } = setup({
      handler: failingHandler(cause, sync),
      onStoreError: 'failOpen',
    })
    const decision = await axes.isAllowed(makeRequest(), creds())
    expect(decision).toMatchObject({ allowed: true, reason: 'storeError', recorded: false })
    expect(decision.error).toBeInstanceOf(AxesStoreError)
    let verified = 0
    const ok = await axes.protect(makeRequest(), creds('right'), () => {
      verified++
      return { username: 'alice' }
    })
    expect(ok.ok).toBe(true)
    const bad = await axes.protect(makeRequest(), creds(), () => {
      verified++
      return null
    })
    expect(bad.ok).toBe(false)
    expect(bad.decision).toMatchObject({ allowed: true, reason: 'storeError' })
    expect(verified).toBe(2)
    expect(events.every((e) => e.policy === 'failOpen')).toBe(true)
    expect(events.map((e) => e.operation)).toEqual([
      'getFailures',
      'reserve',
      'loggedIn',
      'reserve',
    ])
    expect(errors.every((m) => m.endsWith('(onStoreError: failOpen)'))).toBe(true)
    expect(errors).toHaveLength(4)
  })
})

describe('recovery', () => {
  it('counts again as soon as the store comes back', async () => {
    const { handler, state } = flakyHandler()
    const { axes } = setup({ handler })
    expect((await axes.loginFailed(makeRequest(), creds())).reason).toBe('storeError')
    state.down = false
    expect(await axes.loginFailed(makeRequest(), creds())).toMatchObject({
      allowed: true,
      reason: 'allowed',
      failures: 1,
    })
    expect(await axes.loginFailed(makeRequest(), creds())).toMatchObject({
      reason: 'lockedOut',
      failures: 2,
    })
    state.down = true
    expect((await axes.isAllowed(makeRequest(), creds())).reason).toBe('storeError')
    state.down = false
    expect((await axes.isAllowed(makeRequest(), creds())).reason).toBe('lockedOut')
  })

  it('keeps a reservation whose settle fails from throwing, and reports it', async () => {
    const { handler, state } = flakyHandler()
    state.down = false
    const { axes, events } = setup({ handler })
    const reservation = await axes.reserve(makeRequest(), creds())
    expect(reservation.decision.allowed).toBe(true)
    state.down = true
    const decision = await reservation.failed()
    expect(decision).toMatchObject({ allowed: false, reason: 'storeError' })
    state.down = false
    const other = await axes.reserve(makeRequest(), creds())
    expect(other.decision.allowed).toBe(true)
    state.down = true
    await expect(other.release()).resolves.toBeUndefined()
    expect(events.map((e) => e.operation)).toEqual(['recordFailure', 'settle'])
  })
})

describe('a full memory handler', () => {
  it('admits and counts a new client rather than refuse it: the oldest lockout goes', async () => {
    const handler = memoryHandler({ maxBuckets: 1 })
    const { axes, events } = setup({ handler, failureLimit: 1 })
    expect((await axes.loginFailed(makeRequest(), creds())).reason).toBe('lockedOut')
    const newcomer: AxesRequest = { ...makeRequest(), socketAddress: '10.9.9.9' }
    const decision = await axes.loginFailed(newcomer, creds())
    expect(decision).toMatchObject({ allowed: false, reason: 'lockedOut', recorded: true })
    expect(events).toEqual([])
    expect(handler.size).toBe(1)
    expect((await axes.isAllowed(makeRequest(), creds())).reason).toBe('allowed')
  })
})
