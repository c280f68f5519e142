/**
 * The defences of issue 15 through the core API on the memory handler: device cookies (the
 * cookie's signing, rotation, expiry, binding to the username; a trusted device's own bucket and
 * its loss of trust) and spray detection (a source locked after too many distinct usernames,
 * whatever the lockout parameters, adding nothing once locked). The same behaviours run over HTTP
 * through every adapter and on every handler in test/adapters/shared/defences.test.ts.
 */

import { describe, expect, it } from 'vitest'
import { deviceCookies } from '../../src/core/device-cookies/index.js'
import { sprayDetection } from '../../src/core/spray-detection/index.js'
import { AxesConfigError, type AxesRequest, memoryHandler } from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const SECRET = 's'.repeat(32)
const OTHER_SECRET = 'o'.repeat(32)
const T0 = Date.UTC(2026, 0, 1)

function request(username: string, ip: string, cookie?: string): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: cookie ? { cookie } : {},
    socketAddress: ip,
    query: {},
    body: { username, password: 'x' },
  }
}

const cookieOf = (setCookie: string | undefined): string => (setCookie ?? '').split(';')[0] ?? ''

describe('deviceCookies()', () => {
  it('signs a cookie bound to the username with HttpOnly, Secure and SameSite', async () => {
    const device = deviceCookies({ secrets: SECRET })
    const { nonce, setCookie } = await device.issue('alice', T0)
    expect(setCookie).toMatch(/^axes_device=v1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}; /)
    expect(setCookie).toContain('; HttpOnly; Secure; SameSite=Lax')
    expect(setCookie).not.toContain('alice')
    expect(setCookie).not.toContain(SECRET)
    expect(await device.verify(cookieOf(setCookie), 'alice', T0)).toBe(nonce)
    expect(await device.verify(cookieOf(setCookie), 'bob', T0)).toBeNull()
  })

  it('refuses forged, tampered and expired cookies, and verifies with every secret', async () => {
    const device = deviceCookies({ secrets: [SECRET], maxAge: '1d' })
    const cookie = cookieOf((await device.issue('alice', T0)).setCookie)
    const forged = cookieOf(
      (await deviceCookies({ secrets: OTHER_SECRET }).issue('alice', T0)).setCookie,
    )
    expect(await device.verify(forged, 'alice', T0)).toBeNull()
    expect(await device.verify(cookie.replace('.v1', '.v2').slice(0, -2), 'alice', T0)).toBeNull()
    expect(await device.verify(cookie, 'alice', T0 + 86_400_000)).toBeNull()
    const rotated = deviceCookies({ secrets: [OTHER_SECRET, SECRET] })
    expect(await rotated.verify(cookie, 'alice', T0)).not.toBeNull()
    expect(await rotated.verify(forged, 'alice', T0)).not.toBeNull()
  })

  it('refuses short secrets and bad attributes with one AxesConfigError', () => {
    expect(() => deviceCookies({ secrets: 'short' })).toThrow(AxesConfigError)
    expect(() => deviceCookies({ secrets: [] })).toThrow(/secrets/)
    expect(() => deviceCookies({ secrets: SECRET, path: '/; Domain=evil' })).toThrow(/path/)
    expect(() => deviceCookies({ secrets: SECRET, sameSite: 'None', secure: false })).toThrow(
      /secure/,
    )
    const strict = deviceCookies({ secrets: SECRET, sameSite: 'Strict', secure: false })
    return strict.issue('a', T0).then(({ setCookie }) => {
      expect(setCookie).toContain('SameSite=Strict')
      expect(setCookie).not.toContain('Secure')
    })
  })
})

describe('device trust in the engine', () => {
  const make = () => {
    const clock = { now: T0 }
    const axes = createAxes({
      lockoutParameters: ['username'],
      failureLimit: 3,
      logger: false,
      clock: () => clock.now,
      deviceCookies: deviceCookies({ secrets: SECRET }),
    })
    return { axes, clock }
  }
  const login = (axes: ReturnType<typeof make>['axes'], req: AxesRequest, ok: boolean) =>
    axes.protect(req, req.body as Record<string, string>, () => (ok ? 'user' : null))

  it('exempts a trusted device from the username-wide lock, and only it', async () => {
    const { axes } = make()
    const trusted: string[] = []
    axes.on('deviceTrusted', (event) => trusted.push(event.device))
    const first = await login(axes, request('alice', '10.0.0.1'), true)
    expect(first.ok).toBe(true)
    const cookie = cookieOf(first.decision.setCookie)
    for (let i = 0; i < 5; i++) await login(axes, request('alice', `10.9.0.${i}`), false)
    const attacker = await login(axes, request('alice', '10.9.1.1'), true)
    expect(attacker.decision.reason).toBe('lockedOut')
    const alice = await login(axes, request('alice', '10.0.0.1', cookie), true)
    expect(alice.ok).toBe(true)
    expect(alice.decision.trustedDevice).toBe(true)
    expect(trusted).toHaveLength(1)
    // Her cookie does not exempt bob, and bob's attempts with it count in bob's bucket.
    for (let i = 0; i < 3; i++) await login(axes, request('bob', '10.9.0.9', cookie), false)
    const bob = await login(axes, request('bob', '10.0.0.1', cookie), true)
    expect(bob.decision.reason).toBe('lockedOut')
  })

  it('takes trust away from a device that fails its own limit', async () => {
    const { axes } = make()
    const first = await login(axes, request('alice', '10.0.0.1'), true)
    const cookie = cookieOf(first.decision.setCookie)
    for (let i = 0; i < 3; i++) {
      const r = await login(axes, request('alice', '10.0.0.1', cookie), false)
      expect(r.decision.trustedDevice).toBe(true)
    }
    // Locked device: untrusted again, counted in alice's untrusted bucket (still open).
    const replay = await login(axes, request('alice', '10.0.0.1', cookie), false)
    expect(replay.decision.trustedDevice).toBeUndefined()
    expect(replay.decision.failures).toBe(1)
  })

  it('issues nothing without device cookies', async () => {
    const axes = createAxes({ lockoutParameters: ['username'], logger: false })
    const r = await axes.protect(request('alice', '10.0.0.1'), { username: 'alice' }, () => 'u')
    expect(r.decision.setCookie).toBeUndefined()
  })
})

describe('spray detection in the engine', () => {
  it('locks a source after more than N distinct usernames, whatever the parameters', async () => {
    const clock = { now: T0 }
    const handler = memoryHandler()
    const axes = createAxes({
      handler,
      lockoutParameters: [['username', 'ip_address']],
      failureLimit: 5,
      logger: false,
      clock: () => clock.now,
      sprayDetection: sprayDetection({ usernames: 10, window: '1h', cooloff: '2h' }),
    })
    const sprays: { source: string; usernames: number }[] = []
    axes.on('sprayDetected', (event) => sprays.push(event))
    const tries = async (username: string, ip = '10.6.6.6') => {
      const req = request(username, ip)
      return axes.protect(req, req.body as Record<string, string>, () => null)
    }
    for (let i = 0; i < 10; i++) expect((await tries(`user${i}`)).decision.reason).toBe('allowed')
    // The same username again is not a new one.
    expect((await tries('user0')).decision.reason).toBe('allowed')
    const eleventh = await tries('user10')
    expect(eleventh.decision.reason).toBe('allowed')
    expect(sprays).toEqual([expect.objectContaining({ source: '10.6.6.6', usernames: 11 })])
    const size = handler.size
    const refused = await tries('user11')
    expect(refused.decision).toMatchObject({
      reason: 'sourceLocked',
      allowed: false,
      lockedOut: true,
    })
    expect(refused.decision.retryAfterMs).toBe(2 * 3_600_000)
    for (let i = 12; i < 100; i++) await tries(`user${i}`)
    expect(handler.size).toBe(size)
    // Another source is not touched; the lock lifts after its cool-off.
    expect((await tries('user50', '10.7.7.7')).decision.reason).toBe('allowed')
    clock.now += 2 * 3_600_000
    expect((await tries('user51')).decision.reason).toBe('allowed')
  })

  it('groups IPv6 sources by their /64', async () => {
    const axes = createAxes({
      lockoutParameters: ['username'],
      logger: false,
      sprayDetection: sprayDetection({ usernames: 2 }),
    })
    for (let i = 0; i < 3; i++) {
      const req = request(`u${i}`, `2001:db8:1:2::${i + 1}`)
      await axes.protect(req, req.body as Record<string, string>, () => null)
    }
    const req = request('u9', '2001:db8:1:2:ffff::1')
    const r = await axes.protect(req, req.body as Record<string, string>, () => null)
    expect(r.decision.reason).toBe('sourceLocked')
  })

  it('forgets the sources a reset covers with the memory handler too (axes.reset)', async () => {
    const axes = createAxes({
      lockoutParameters: ['username'],
      logger: false,
      sprayDetection: sprayDetection({ usernames: 2 }),
    })
    const tries = async (username: string, ip: string) => {
      const req = request(username, ip)
      return (await axes.protect(req, req.body as Record<string, string>, () => null)).decision
    }
    const lock = async (ip: string) => {
      for (let i = 0; i < 3; i++) await tries(`u${i}`, ip)
      expect((await tries('u9', ip)).reason).toBe('sourceLocked')
    }
    await lock('10.8.8.8')
    await lock('10.9.9.9')
    // A reset by username leaves sources alone; one by IP lifts that IP's lock, and only it.
    await axes.reset({ username: 'u9' })
    expect((await tries('u8', '10.8.8.8')).reason).toBe('sourceLocked')
    await axes.reset({ ip: '10.8.8.8' })
    expect((await tries('u8', '10.8.8.8')).reason).toBe('allowed')
    expect((await tries('u8', '10.9.9.9')).reason).toBe('sourceLocked')
    // A reset of everything lifts every source lock.
    await axes.reset()
    expect((await tries('u7', '10.9.9.9')).reason).toBe('allowed')
  })

  it('refuses bad settings and handlers that cannot keep sources', () => {
    expect(() => sprayDetection({ usernames: 0 })).toThrow(/usernames/)
    expect(() =>
      createAxes({ sprayDetection: sprayDetection({ usernames: 3, windw: '1h' } as never) }),
    ).toThrow(/windw/)
    const bare = memoryHandler()
    expect(() =>
      createAxes({
        handler: {
          name: 'custom',
          shared: true,
          kind: 'custom',
          getFailures: (i) => bare.getFailures(i),
          reserve: (i) => bare.reserve(i),
          settle: (i) => bare.settle(i),
          recordFailure: (i) => bare.recordFailure(i),
          resetBuckets: (b) => bare.resetBuckets(b),
          resetAttempts: (f) => bare.resetAttempts(f),
        },
        sprayDetection: sprayDetection({ usernames: 3 }),
      }),
    ).toThrow(/shared handler that keeps sources/)
  })
})
