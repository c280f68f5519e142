/**
 * Structured logs: every line node-axes logs is one object (django-axes' message text under `msg`
 * and `message`, then `event`, `reason`, the buckets, the masked client and `err`), which real
 * pino, real winston and `console` all take as it is. A failing listener's error and a store
 * error reach the logger whole: stack and cause.
 */

import { Writable } from 'node:stream'
import pino from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import winston from 'winston'
import Transport from 'winston-transport'
import {
  type AxesHandler,
  type AxesLogger,
  type AxesOptions,
  type AxesRequest,
  CAPABILITY_METHODS,
  HANDLER_METHODS,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'
import { recordingLogger } from '../support/recording-logger.js'

const MASK = '********************'

function login(username = 'alice', ip = '10.1.1.1'): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': 'curl/8' },
    socketAddress: ip,
    body: { username, password: 'hunter2' },
    sessionId: 's',
  }
}

/** A handler whose every method rejects with `error`. */
function failingHandler(error: Error): AxesHandler {
  const handler: Record<string, unknown> = { name: 'failing', shared: true, kind: 'custom' }
  for (const method of [...HANDLER_METHODS, ...CAPABILITY_METHODS.logs]) {
    handler[method] = () => Promise.reject(error)
  }
  return handler as unknown as AxesHandler
}

/** A real pino logger writing JSON lines into an array. */
function pinoLines() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    },
  })
  return { logger: pino({ level: 'debug' }, stream), lines }
}

/** A real winston logger whose transport keeps the info objects it receives. */
function winstonInfos() {
  const infos: Record<string, unknown>[] = []
  class Keep extends Transport {
    override log(info: Record<string, unknown>, next: () => void): void {
      infos.push(info)
      next()
    }
  }
  return { logger: winston.createLogger({ level: 'debug', transports: [new Keep()] }), infos }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20))

function axesWith(logger: unknown, options: AxesOptions = {}) {
  return createAxes({
    logger: logger as AxesLogger,
    failureLimit: 2,
    verbose: false,
    silencedChecks: ['axes.W002', 'axes.W003'],
    ...options,
  })
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the records node-axes logs', () => {
  it('a failure and a lockout carry event, reason, buckets and the client masked as django-axes masks it', async () => {
    const { logger, records } = recordingLogger()
    const axes = axesWith(logger, {
      lockoutParameters: [['username', 'ip_address'], 'ip_address'],
      sensitiveParameters: [],
    })
    await axes.loginFailed(login(), { username: 'alice', password: 'hunter2' })
    await axes.loginFailed(login(), { username: 'alice', password: 'hunter2' })
    const failed = records.find((r) => r.record.event === 'loginFailed')?.record
    expect(failed).toMatchObject({
      event: 'loginFailed',
      reason: 'allowed',
      buckets: ['username+ip_address', 'ip_address'],
      client: { username: 'alice', ip_address: '10.1.1.1', path_info: '/login' },
      failures: 1,
      failureLimit: 2,
    })
    // The message text is django-axes', and the same under both keys.
    expect(failed?.msg).toBe(
      'AXES: Repeated login failure by {username: "alice", ip_address: "10.1.1.1", path_info: "/login"}. Count = 1 of 2.',
    )
    expect(failed?.message).toBe(failed?.msg)
    const locked = records.find((r) => r.record.event === 'lockedOut')
    expect(locked?.level).toBe('warn')
    expect(locked?.record).toMatchObject({
      reason: 'lockedOut',
      failures: 2,
      lockedUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    // The password never reaches a record.
    expect(JSON.stringify(records)).not.toContain('hunter2')
  })

  it('masks the fields sensitiveParameters names (username and IP by default), in the fields as in the message', async () => {
    const { logger, records } = recordingLogger()
    const axes = axesWith(logger, { lockoutParameters: [['username', 'ip_address']] })
    await axes.loginFailed(login(), { username: 'alice', password: 'hunter2' })
    const failed = records.find((r) => r.record.event === 'loginFailed')?.record
    expect(failed?.client).toEqual({ username: MASK, ip_address: MASK, path_info: '/login' })
    expect(JSON.stringify(failed)).not.toMatch(/alice|10\.1\.1\.1/)
  })

  it('logins, logouts and checks are records too', async () => {
    const { logger, records } = recordingLogger()
    const axes = axesWith(logger, { silencedChecks: [], lockoutParameters: ['username'] })
    await axes.loggedIn(login())
    await axes.loggedOut(login())
    const events = records.map((r) => r.record.event)
    expect(events).toEqual(expect.arrayContaining(['check', 'loggedIn', 'loggedOut']))
    const check = records.find((r) => r.record.event === 'check')?.record
    expect(check).toMatchObject({ code: expect.stringMatching(/^axes\.W\d+$/) })
  })
})

describe('pino (real) receives objects with err intact', () => {
  it('a listener that throws: the error with its stack and cause', async () => {
    const { logger, lines } = pinoLines()
    const axes = axesWith(logger)
    const boom = new Error('listener bug', { cause: new Error('the webhook is down') })
    axes.on('loginFailed', () => {
      throw boom
    })
    await axes.loginFailed(login(), { username: 'alice', password: 'x' })
    await tick()
    const line = lines.find((l) => l.event === 'listenerError')
    expect(line).toMatchObject({
      level: 50,
      msg: "AXES: a 'loginFailed' listener failed",
      listener: 'loginFailed',
      err: { type: 'Error', message: expect.stringContaining('listener bug') },
    })
    const err = line?.err as { stack: string; message: string }
    expect(err.stack).toContain('listener bug')
    expect(err.stack).toContain('structured-logs.test.ts')
    // pino's err serializer folds the cause into the message and the stack.
    expect(`${err.message}\n${err.stack}`).toContain('the webhook is down')
  })

  it('a store error: the AxesStoreError with the driver error as its cause', async () => {
    const { logger, lines } = pinoLines()
    const driver = new Error('connect ECONNREFUSED 127.0.0.1:6379')
    const axes = axesWith(logger, { handler: failingHandler(driver) })
    const decision = await axes.isAllowed(login())
    expect(decision.reason).toBe('storeError')
    const line = lines.find((l) => l.event === 'storeError')
    expect(line).toMatchObject({
      level: 50,
      reason: 'storeError',
      handler: 'failing',
      operation: expect.any(String),
      policy: 'failClosed',
      err: { type: 'AxesStoreError', stack: expect.stringContaining('AxesStoreError') },
    })
    const err = line?.err as { stack: string; message: string }
    expect(`${err.message}\n${err.stack}`).toContain('ECONNREFUSED')
  })

  it('a lockout line can be counted by event and filtered by bucket', async () => {
    const { logger, lines } = pinoLines()
    const axes = axesWith(logger, { sensitiveParameters: [] })
    for (let i = 0; i < 3; i++) await axes.loginFailed(login(), { username: 'alice' })
    expect(lines.filter((l) => l.event === 'loginFailed')).toHaveLength(3)
    expect(lines.filter((l) => l.event === 'lockedOut')[0]).toMatchObject({
      level: 40,
      buckets: ['username+ip_address'],
      msg: expect.stringMatching(/^AXES: Locked out \{username: "alice"/),
    })
  })
})

describe('winston (real) receives the same objects', () => {
  it('as its info objects: message, fields, and the Error itself with stack and cause', async () => {
    const { logger, infos } = winstonInfos()
    const axes = axesWith(logger)
    const boom = new Error('listener bug', { cause: new Error('smtp refused') })
    axes.on('lockedOut', () => Promise.reject(boom))
    for (let i = 0; i < 2; i++) await axes.loginFailed(login(), { username: 'alice' })
    await tick()
    expect(infos.find((i) => i.event === 'lockedOut')).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^AXES: Locked out /),
      reason: 'lockedOut',
    })
    const failed = infos.find((i) => i.event === 'listenerError')
    expect(failed).toMatchObject({ level: 'error', message: "AXES: a 'lockedOut' listener failed" })
    const err = failed?.err as Error
    expect(err).toBe(boom)
    expect(err.stack).toContain('structured-logs.test.ts')
    expect((err.cause as Error).message).toBe('smtp refused')
  })
})

describe('console', () => {
  it('prints the record as it is when given as the logger', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const axes = axesWith(console)
    axes.on('loginFailed', () => {
      throw new Error('listener bug')
    })
    vi.spyOn(console, 'info').mockImplementation(() => {})
    await axes.loginFailed(login(), { username: 'alice' })
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: "AXES: a 'loginFailed' listener failed",
        err: expect.objectContaining({ message: 'listener bug' }),
      }),
    )
  })

  it('the default logger prints the message text first, then the fields', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const axes = createAxes({ handler: failingHandler(new Error('disk full')) })
    await axes.isAllowed(login())
    const [text, fields] = error.mock.calls[0] as [string, Record<string, unknown>]
    expect(text).toMatch(
      /^AXES: the failing handler failed in .*: disk full \(onStoreError: failClosed\)$/,
    )
    expect(fields).toMatchObject({ event: 'storeError', err: expect.any(Error) })
    expect(fields).not.toHaveProperty('msg')
  })
})
