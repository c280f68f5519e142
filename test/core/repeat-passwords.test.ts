/**
 * The same wrong password counts once (node-axes/repeat-passwords) through the core API on the
 * memory handler: repeats of one wrong password are counted once and still fail, different wrong
 * passwords count each, the hashes expire with the failure window and are bounded per bucket, what
 * is kept is a keyed hash (neither the password nor its SHA-256), the username is part of each
 * guess, and misconfiguration fails at start. Every handler runs the store's cases in the
 * conformance suite (src/testing/passwords.ts); test/adapters/shared/repeat-passwords.test.ts plays
 * it over HTTP.
 */

import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  PasswordBook,
  type RepeatPasswords,
  repeatPasswords,
} from '../../src/core/repeat-passwords/index.js'
import {
  AxesConfigError,
  type AxesHandler,
  type AxesRequest,
  memoryHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const SECRET = 'a-repeat-password-secret-of-32-chars'
const T0 = Date.UTC(2026, 0, 1)

function request(username: string, password: string, ip = '10.0.0.1'): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: {},
    socketAddress: ip,
    query: {},
    body: { username, password },
  }
}

function make(extra: Parameters<typeof repeatPasswords>[0] | null = { secret: SECRET }) {
  const clock = { now: T0 }
  const handler = memoryHandler()
  const repeats = extra === null ? null : repeatPasswords(extra)
  const axes = createAxes({
    handler,
    lockoutParameters: ['username'],
    failureLimit: 5,
    cooloffTime: '15m',
    logger: false,
    clock: () => clock.now,
    repeatPasswords: repeats,
  })
  const login = (req: AxesRequest, right = false) =>
    axes.protect(req, req.body as Record<string, string>, () => (right ? 'user' : null))
  return { axes, clock, handler, repeats, login }
}

/** The book the memory handler's hashes are kept in. */
const bookOf = (repeats: RepeatPasswords | null, handler: AxesHandler) =>
  (repeats as RepeatPasswords).storeFor(handler) as PasswordBook

describe('the same wrong password counts once', () => {
  it('counts ten tries of one wrong password once, and each of the others', async () => {
    const { login } = make()
    const failures: number[] = []
    for (let i = 0; i < 10; i++) {
      const r = await login(request('alice', 'old-password'))
      expect(r.ok).toBe(false)
      expect(r.decision.allowed).toBe(true)
      failures.push(r.decision.failures)
    }
    expect(failures).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    const second = await login(request('alice', 'typo-1'))
    expect(second.decision.failures).toBe(2)
    expect(second.decision.repeatedPassword).toBeUndefined()
    const repeat = await login(request('alice', 'typo-1'))
    expect(repeat.decision).toMatchObject({ failures: 2, repeatedPassword: true, recorded: false })
    for (const [i, password] of ['typo-2', 'typo-3', 'typo-4'].entries()) {
      const r = await login(request('alice', password))
      expect(r.decision.failures).toBe(3 + i)
    }
    const locked = await login(request('alice', 'typo-1'))
    expect(locked.decision.reason).toBe('lockedOut')
  })

  it('counts every try without the option (the control)', async () => {
    const { login } = make(null)
    let last = 0
    for (let i = 0; i < 4; i++)
      last = (await login(request('alice', 'old-password'))).decision.failures
    expect(last).toBe(4)
  })

  it('still lets the right password in, and reports the failure', async () => {
    const { axes, login } = make()
    const failed: boolean[] = []
    axes.on('loginFailed', (event) => failed.push(event.decision.repeatedPassword === true))
    await login(request('alice', 'wrong'))
    await login(request('alice', 'wrong'))
    expect(failed).toEqual([false, true])
    expect((await login(request('alice', 'right'), true)).ok).toBe(true)
  })

  it('counts the same password again once the failure window has passed', async () => {
    const { clock, login } = make()
    expect((await login(request('alice', 'p'))).decision.failures).toBe(1)
    clock.now += 14 * 60_000
    expect((await login(request('alice', 'p'))).decision.failures).toBe(1)
    clock.now += 60_000
    // The failure has expired and so has its hash: a fresh failure.
    expect((await login(request('alice', 'p'))).decision.failures).toBe(1)
    expect((await login(request('alice', 'p'))).decision.repeatedPassword).toBe(true)
  })

  it('keeps the window from the last new wrong password, as the failures do', async () => {
    const { clock, login } = make()
    await login(request('alice', 'p'))
    clock.now += 10 * 60_000
    expect((await login(request('alice', 'q'))).decision.failures).toBe(2)
    clock.now += 10 * 60_000
    // 20 minutes after p, 10 after q: both failures still count, and p is still a repeat.
    const again = await login(request('alice', 'p'))
    expect(again.decision).toMatchObject({ failures: 2, repeatedPassword: true })
  })

  it('keeps at most `keep` hashes per bucket', async () => {
    const { login, repeats, handler } = make({ secret: SECRET, keep: 2 })
    for (const p of ['p1', 'p2', 'p3']) await login(request('alice', p))
    // p1 was dropped: counted again.
    expect((await login(request('alice', 'p1'))).decision.failures).toBe(4)
    const book = bookOf(repeats, handler)
    expect(book.entries().map(([, hashes]) => hashes.length)).toEqual([2])
  })

  it('keeps a keyed hash: neither the password nor its SHA-256, and another secret another hash', async () => {
    const { login, repeats, handler } = make()
    const password = 'correct horse battery staple'
    await login(request('alice', password))
    const [[bucket, hashes]] = bookOf(repeats, handler).entries() as [[string, string[]]]
    const [stored] = hashes as [string]
    expect(stored).toMatch(/^[0-9a-f]{32}$/)
    const sha = createHash('sha256').update(password).digest('hex')
    expect(sha.startsWith(stored)).toBe(false)
    expect(stored).not.toContain(password)
    expect(bucket).not.toContain(password)
    expect(await repeats?.hash(bucket, 'alice', password)).toBe(stored)
    const other = repeatPasswords({ secret: 'x'.repeat(32) })
    expect(await other.hash(bucket, 'alice', password)).not.toBe(stored)
  })

  it('binds the username: one password sprayed over many usernames from one IP counts for each', async () => {
    const clock = { now: T0 }
    const axes = createAxes({
      lockoutParameters: ['ip_address'],
      failureLimit: 50,
      logger: false,
      clock: () => clock.now,
      repeatPasswords: repeatPasswords({ secret: SECRET }),
    })
    let last = 0
    for (let i = 0; i < 10; i++) {
      const req = request(`user${i}`, 'Summer2026!')
      last = (await axes.protect(req, req.body as Record<string, string>, () => null)).decision
        .failures
    }
    expect(last).toBe(10)
  })

  it('reads the password of loginFailed too (no reservation)', async () => {
    const { axes } = make()
    const req = () => request('alice', 'old')
    expect((await axes.loginFailed(req(), req().body as Record<string, string>)).failures).toBe(1)
    const again = await axes.loginFailed(req(), req().body as Record<string, string>)
    expect(again).toMatchObject({ failures: 1, repeatedPassword: true, recorded: false })
    // A failure without a password is counted each time.
    const none = { ...req(), body: { username: 'alice' } }
    expect((await axes.loginFailed(none, { username: 'alice' })).failures).toBe(2)
    expect((await axes.loginFailed(none, { username: 'alice' })).failures).toBe(3)
  })

  it('refuses a short secret and bad settings with one AxesConfigError', () => {
    expect(() => repeatPasswords({ secret: 'short' })).toThrow(AxesConfigError)
    expect(() => repeatPasswords({ secret: SECRET, keep: 0 })).toThrow(/keep/)
    expect(() => repeatPasswords({ secret: SECRET, window: 'soon' })).toThrow(/window/)
    expect(() => repeatPasswords({ secret: SECRET, other: 1 } as never)).toThrow(/other/)
  })

  it('refuses, at createAxes, a shared handler that cannot keep the hashes', () => {
    const memory = memoryHandler()
    const shared = Object.assign(Object.create(memory), { shared: true, name: 'custom' })
    expect(() =>
      createAxes({
        handler: shared as AxesHandler,
        repeatPasswords: repeatPasswords({ secret: SECRET }),
      }),
    ).toThrow(/repeatPasswords/)
  })

  it('counts the failure when the store fails, and says so', async () => {
    const handler = memoryHandler()
    // The memory handler, but its wrong-password store is down.
    const broken = new Proxy(handler, {
      get(target, name) {
        if (name === 'noteWrongPassword') return () => Promise.reject(new Error('store down'))
        if (name === 'resetWrongPasswords') return () => 0
        const value = Reflect.get(target, name)
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as AxesHandler
    const errors: string[] = []
    const axes = createAxes({
      handler: broken,
      lockoutParameters: ['username'],
      logger: false,
      repeatPasswords: repeatPasswords({ secret: SECRET }),
    })
    axes.on('storeError', (event) => errors.push(event.operation))
    const req = request('alice', 'p')
    const body = req.body as Record<string, string>
    await axes.protect(req, body, () => null)
    const r = await axes.protect(request('alice', 'p'), body, () => null)
    expect(r.decision.failures).toBe(2)
    expect(errors).toEqual(['defence', 'defence'])
  })

  it('bounds the in-process book by buckets', () => {
    const book = new PasswordBook(2)
    const note = (bucket: string) =>
      book.noteWrongPassword({ entries: [{ bucket, hash: 'h' }], keep: 5, windowMs: 1000, now: 0 })
    note('a')
    note('b')
    note('c')
    expect(book.size).toBe(2)
    expect(note('a')).toBe(false)
    expect(note('c')).toBe(true)
  })

  it('works on the default database handler named by databaseUrl (loaded on first use)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axes-repeat-'))
    const axes = createAxes({
      handler: 'database',
      databaseUrl: `sqlite:${join(dir, 'axes.sqlite3')}`,
      lockoutParameters: ['username'],
      failureLimit: 3,
      logger: false,
      repeatPasswords: repeatPasswords({ secret: SECRET }),
    })
    try {
      await axes.ready()
      const req = request('alice', 'old-password')
      for (let i = 0; i < 5; i++) {
        await axes.protect(req, req.body as Record<string, string>, () => null)
      }
      // Five tries of one wrong password are one failure of three: still allowed.
      expect((await axes.isAllowed(req)).allowed).toBe(true)
      // Two new wrong passwords make three: locked.
      for (const password of ['second-guess', 'third-guess']) {
        const other = request('alice', password)
        await axes.protect(other, other.body as Record<string, string>, () => null)
      }
      expect((await axes.isAllowed(req)).allowed).toBe(false)
    } finally {
      await axes.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
