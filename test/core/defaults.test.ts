/**
 * node-axes' own defaults, played as a site that copies `createAxes()` and reads no further:
 * typos spread over months, a shared office NAT, an attacker behind that NAT. Each runs on the
 * memory handler and on the embedded default (the database handler on a SQLite file), with a
 * clock the test moves. And `fromDjangoSettings`, which must keep django-axes' own defaults.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type AxesOptions, createAxes, fromDjangoSettings } from '../../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'node-axes-defaults-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DAY = 86_400_000
const MINUTE = 60_000
const OFFICE_NAT = '198.51.100.7'
const quiet = { logger: false as const, silencedChecks: ['axes.W002', 'axes.W003'] }

let files = 0
const handlers: [string, () => AxesOptions][] = [
  ['memory', () => ({ handler: 'memory' })],
  [
    'sqlite (the embedded default)',
    () => ({ databaseUrl: `sqlite:${join(dir, `${++files}.db`)}` }),
  ],
]

function site(handler: AxesOptions) {
  let now = Date.UTC(2026, 0, 1)
  let checked = 0
  const axes = createAxes({ ...quiet, ...handler, clock: () => now })
  const attempt = (username: string, password: string, ip = OFFICE_NAT) =>
    axes.protect(
      {
        method: 'POST',
        path: '/login',
        headers: { 'user-agent': 'defaults-test' },
        socketAddress: ip,
        body: { username, password },
      },
      { username, password },
      (c) => {
        checked++
        return c?.password === `${c?.username}-secret` ? { name: c?.username } : null
      },
    )
  return {
    axes,
    attempt,
    checked: () => checked,
    later: (ms: number) => {
      now += ms
    },
  }
}

describe.each(handlers)('createAxes() defaults on %s', (_, handler) => {
  it('three typos spread over 200 days never lock the user out', async () => {
    const { axes, attempt, later } = site(handler())
    for (let i = 0; i < 3; i++) {
      expect((await attempt('alice', 'typo')).decision.allowed).toBe(true)
      later(100 * DAY)
    }
    for (let i = 0; i < 3; i++) {
      expect((await attempt('alice', 'typo')).decision.allowed).toBe(true)
      later(100 * DAY)
    }
    expect((await attempt('alice', 'alice-secret')).ok).toBe(true)
    await axes.close()
  })

  it('an attacker behind an office NAT cannot lock the other users of that NAT out', async () => {
    const { axes, attempt } = site(handler())
    for (let i = 0; i < 50; i++) await attempt(`victim-${i % 10}`, 'guess')
    // bob, behind the same NAT, was never guessed at: he logs in.
    expect((await attempt('bob', 'bob-secret')).ok).toBe(true)
    await axes.close()
  })

  it('a guessed-at account is locked for a while, not for good, and the guesses are bounded', async () => {
    const { axes, attempt, checked, later } = site(handler())
    for (let i = 0; i < 100; i++) await attempt('carol', `guess-${i}`)
    // A finite number of guesses reached the password check...
    expect(checked()).toBe(axes.options.failureLimit)
    // ...and carol, locked out from that IP, gets in once the cool-off has passed.
    expect((await attempt('carol', 'carol-secret')).ok).toBe(false)
    later(16 * MINUTE)
    expect((await attempt('carol', 'carol-secret')).ok).toBe(true)
    await axes.close()
  })
})

describe('the defaults themselves', () => {
  it('are a finite cool-off, five failures, username and IP together', () => {
    const axes = createAxes({ ...quiet, handler: 'memory' })
    expect(axes.options).toMatchObject({
      failureLimit: 5,
      cooloffTime: 15 * MINUTE,
      lockoutParameters: [['username', 'ip_address']],
      resetOnSuccess: false,
    })
  })

  it('keep the deprecated flags mapped as django-axes maps them when one is given', () => {
    const axes = createAxes({ ...quiet, handler: 'memory', lockOutByUserOrIp: true })
    expect(axes.options.lockoutParameters).toEqual(['username', 'ip_address'])
    const none = createAxes({ ...quiet, handler: 'memory', useUserAgent: false })
    expect(none.options.lockoutParameters).toEqual(['ip_address'])
  })
})

describe('fromDjangoSettings keeps django-axes defaults', () => {
  it('sets every default that differs from django-axes explicitly', () => {
    const options = fromDjangoSettings({ AXES_FAILURE_LIMIT: 5 })
    expect(options).toMatchObject({
      failureLimit: 5,
      cooloffTime: null,
      lockoutParameters: ['ip_address'],
    })
    const axes = createAxes({ ...quiet, handler: 'memory', ...fromDjangoSettings({}) })
    expect(axes.options).toMatchObject({
      failureLimit: 3,
      cooloffTime: null,
      lockoutParameters: ['ip_address'],
      resetOnSuccess: false,
    })
  })

  it('maps the deprecated flags onto lockoutParameters as django-axes does', () => {
    expect(fromDjangoSettings({ AXES_ONLY_USER_FAILURES: true }).lockoutParameters).toEqual([
      'username',
    ])
  })

  it('locks for good, as django-axes does, and check axes.W014 says so', async () => {
    let now = Date.UTC(2026, 0, 1)
    const axes = createAxes({
      ...quiet,
      handler: 'memory',
      clock: () => now,
      ...fromDjangoSettings({}),
    })
    expect(axes.check().map((c) => c.id)).toContain('axes.W014')
    const request = (username: string) => ({
      method: 'POST',
      path: '/login',
      headers: {},
      socketAddress: OFFICE_NAT,
      body: { username, password: 'x' },
    })
    for (const name of ['a', 'b', 'c']) {
      await axes.loginFailed(request(name), { username: name })
      now += 100 * DAY
    }
    expect((await axes.isAllowed(request('bob'), { username: 'bob' })).allowed).toBe(false)
  })
})
