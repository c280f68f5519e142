/**
 * Policy: django-axes' blacklist/whitelist rules (`is_allowed` in axes/handlers/base.py and the
 * truth tables of tests/test_helpers.py), with CIDR ranges and canonical IPv6 matching; a
 * blacklisted client is refused at once and nothing is recorded (reference §10 #16).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../src/core/options.js'
import { comparablePath, Policy } from '../../src/core/policy.js'
import { AxesCallableError, type AxesOptions, type AxesRequest } from '../../src/index.js'
import { createAxes } from '../support/axes.js'

function policy(options: AxesOptions = {}) {
  return new Policy(resolveOptions({ logger: false, ...options }))
}

function request(overrides: Partial<AxesRequest> = {}): AxesRequest {
  return { method: 'POST', path: '/login', headers: {}, socketAddress: '127.0.0.1', ...overrides }
}

const IP = '127.0.0.1'

describe("django-axes' truth tables (test_helpers.py)", () => {
  it('an IP is not in a missing whitelist or blacklist', () => {
    expect(policy().inWhitelist('127.0.0.2')).toBe(false)
    expect(policy().isBlacklisted('127.0.0.2')).toBe(false)
  })

  it('whitelist and blacklist membership', () => {
    const p = policy({ ipWhitelist: [IP], ipBlacklist: [IP] })
    expect(p.inWhitelist(IP)).toBe(true)
    expect(p.inWhitelist('127.0.0.2')).toBe(false)
    expect(p.isBlacklisted(IP)).toBe(true)
    expect(p.isBlacklisted('127.0.0.2')).toBe(false)
  })

  it.each([
    // [options, blacklisted, whitelisted] for client 127.0.0.1
    [{ ipBlacklist: [IP] }, true, false],
    [{ ipBlacklist: ['127.0.0.2'] }, false, false],
    [{ neverLockoutWhitelist: true, ipWhitelist: [IP] }, false, true],
    [{ onlyWhitelist: true, ipWhitelist: ['127.0.0.2'] }, true, false],
    [{ onlyWhitelist: true, ipWhitelist: [IP] }, false, true],
    // AXES_IP_WHITELIST does nothing without one of the two flags
    [{ ipWhitelist: [IP] }, false, false],
    // ONLY_WHITELIST with no whitelist at all refuses everybody
    [{ onlyWhitelist: true }, true, false],
  ] as [AxesOptions, boolean, boolean][])(
    '%j: blacklisted %s, whitelisted %s',
    async (options, blacklisted, whitelisted) => {
      const p = policy(options)
      expect(p.isBlacklisted(IP)).toBe(blacklisted)
      expect(await p.isWhitelisted(request(), null, IP)).toBe(whitelisted)
    },
  )

  it('neverLockoutGet whitelists GET only (test_is_client_method_whitelisted)', async () => {
    expect(
      await policy({ neverLockoutGet: true }).isWhitelisted(request({ method: 'GET' }), null, IP),
    ).toBe(true)
    expect(
      await policy({ neverLockoutGet: true }).isWhitelisted(request({ method: 'get' }), null, IP),
    ).toBe(true)
    expect(await policy({ neverLockoutGet: true }).isWhitelisted(request(), null, IP)).toBe(false)
    expect(
      await policy({ neverLockoutGet: false }).isWhitelisted(request({ method: 'GET' }), null, IP),
    ).toBe(false)
  })

  it('whitelistCallable: true whitelists, false does not, async works (test_is_whitelisted)', async () => {
    expect(await policy().isWhitelisted(request(), { username: 'x' }, IP)).toBe(false)
    expect(await policy({ whitelistCallable: () => true }).isWhitelisted(request(), null, IP)).toBe(
      true,
    )
    expect(
      await policy({ whitelistCallable: () => false }).isWhitelisted(request(), null, IP),
    ).toBe(false)
    expect(
      await policy({ whitelistCallable: async () => true }).isWhitelisted(request(), null, IP),
    ).toBe(true)
  })

  it('an asynchronous whitelistCallable that resolves false (or anything but true) whitelists no one', async () => {
    for (const verdict of [false, undefined, 1, 'true']) {
      const result = policy({ whitelistCallable: async () => verdict as boolean }).isWhitelisted(
        request(),
        null,
        IP,
      )
      expect(result).toBeInstanceOf(Promise)
      expect(await result).toBe(false)
      // Synchronous, the same: only `true` whitelists.
      expect(
        policy({ whitelistCallable: () => verdict as boolean }).isWhitelisted(request(), null, IP),
      ).toBe(false)
    }
  })

  it('a whitelistCallable saying no leaves the list and GET exemptions standing, sync or async', async () => {
    for (const whitelistCallable of [() => false, async () => false]) {
      const listed = policy({ whitelistCallable, neverLockoutWhitelist: true, ipWhitelist: [IP] })
      expect(await listed.isWhitelisted(request(), null, IP)).toBe(true)
      expect(await listed.isWhitelisted(request(), null, '127.0.0.2')).toBe(false)
      const onlyListed = policy({ whitelistCallable, onlyWhitelist: true, ipWhitelist: [IP] })
      expect(await onlyListed.isWhitelisted(request(), null, IP)).toBe(true)
      const get = policy({ whitelistCallable, neverLockoutGet: true })
      expect(await get.isWhitelisted(request({ method: 'get' }), null, IP)).toBe(true)
      expect(await get.isWhitelisted(request(), null, IP)).toBe(false)
      expect(await get.isWhitelisted(request({ method: undefined }), null, IP)).toBe(false)
    }
    // Without a callable: an IP in the list is whitelisted only with neverLockoutWhitelist or
    // onlyWhitelist.
    expect(policy({ ipWhitelist: [IP] }).isWhitelisted(request(), null, IP)).toBe(false)
    expect(
      policy({ ipWhitelist: [IP], neverLockoutWhitelist: true }).isWhitelisted(request(), null, IP),
    ).toBe(true)
  })

  it('whitelistCallable receives the request and the credentials', async () => {
    const seen: unknown[] = []
    const req = request()
    await policy({
      whitelistCallable: (r, c) => {
        seen.push(r, c)
        return false
      },
    }).isWhitelisted(req, { username: 'alice' }, IP)
    expect(seen).toEqual([req, { username: 'alice' }])
  })

  it('a throwing whitelistCallable is an AxesCallableError, sync or async', async () => {
    for (const whitelistCallable of [
      () => {
        throw new Error('down')
      },
      async () => {
        throw new Error('down')
      },
    ]) {
      // A synchronous function throws at once, an asynchronous one rejects: both as AxesCallableError.
      const error = await Promise.resolve()
        .then(() => policy({ whitelistCallable }).isWhitelisted(request(), null, IP))
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AxesCallableError)
      expect((error as AxesCallableError).option).toBe('whitelistCallable')
      const axes = createAxes({ logger: false, whitelistCallable })
      await expect(axes.isAllowed(request())).rejects.toBeInstanceOf(AxesCallableError)
    }
  })
})

describe('CIDR ranges and canonical IPv6', () => {
  it('matches ranges in both lists', () => {
    const p = policy({
      neverLockoutWhitelist: true,
      ipWhitelist: ['10.0.0.0/8', '2001:db8::/32'],
      ipBlacklist: ['192.0.2.0/24', '2001:db8:bad::/48'],
    })
    expect(p.inWhitelist('10.200.3.4')).toBe(true)
    expect(p.inWhitelist('11.0.0.1')).toBe(false)
    expect(p.inWhitelist('2001:db8:1::5')).toBe(true)
    expect(p.isBlacklisted('192.0.2.77')).toBe(true)
    expect(p.isBlacklisted('192.0.3.1')).toBe(false)
    expect(p.isBlacklisted('2001:db8:bad:1::1')).toBe(true)
    expect(p.isBlacklisted('2001:db8:bae::1')).toBe(false)
  })

  it('matches IPv6 in any spelling, and IPv4-mapped against IPv4', () => {
    const p = policy({ ipBlacklist: ['2001:DB8:0:0::1', '::ffff:10.0.0.1'] })
    expect(p.isBlacklisted('2001:db8::1')).toBe(true)
    expect(p.isBlacklisted('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true)
    expect(p.isBlacklisted('10.0.0.1')).toBe(true)
    expect(p.isBlacklisted('2001:db8::2')).toBe(false)
  })

  it('never matches a missing or unparseable IP', () => {
    const p = policy({ ipBlacklist: ['0.0.0.0/0'], ipWhitelist: ['0.0.0.0/0'] })
    expect(p.isBlacklisted(null)).toBe(false)
    expect(p.isBlacklisted('garbage')).toBe(false)
    expect(p.inWhitelist(null)).toBe(false)
  })

  it('refuses a client whose socket address falls in a blacklisted range, end to end', async () => {
    const axes = createAxes({ logger: false, ipBlacklist: ['2001:db8::/32'] })
    const decision = await axes.isAllowed(request({ socketAddress: '2001:DB8:ffff::1' }))
    expect(decision.allowed).toBe(false)
    expect(decision.reason).toBe('blacklisted')
  })
})

describe('end to end through createAxes', () => {
  it('blacklist is checked before whitelist', async () => {
    const axes = createAxes({
      logger: false,
      ipBlacklist: [IP],
      ipWhitelist: [IP],
      neverLockoutWhitelist: true,
      whitelistCallable: () => true,
    })
    const decision = await axes.isAllowed(request())
    expect(decision.allowed).toBe(false)
    expect(decision.reason).toBe('blacklisted')
  })

  it('a blacklisted client is refused at once and nothing is recorded (django records: §10 #16)', async () => {
    const axes = createAxes({ logger: false, ipBlacklist: [IP], failureLimit: 3 })
    const events: string[] = []
    axes.on('loginFailed', () => events.push('loginFailed'))
    axes.on('lockedOut', () => events.push('lockedOut'))
    let verified = 0
    const protectedResult = await axes.protect(
      request(),
      { username: 'admin', password: 'right' },
      () => {
        verified += 1
        return { id: 1 }
      },
    )
    expect(protectedResult.ok).toBe(false)
    expect(protectedResult.decision.reason).toBe('blacklisted')
    expect(protectedResult.decision.recorded).toBe(false)
    expect(verified).toBe(0)

    const failed = await axes.loginFailed(request(), { username: 'admin' })
    expect(failed.allowed).toBe(false)
    expect(failed.reason).toBe('blacklisted')
    expect(failed.recorded).toBe(false)

    expect(await axes.listAttempts()).toEqual([])
    expect(events).toEqual([])
    // another client is unaffected
    expect((await axes.isAllowed(request({ socketAddress: '127.0.0.2' }))).allowed).toBe(true)
  })

  it('onlyWhitelist refuses every IP outside the whitelist and lets the whitelisted in unrecorded', async () => {
    const axes = createAxes({
      logger: false,
      onlyWhitelist: true,
      ipWhitelist: ['10.0.0.0/8'],
      failureLimit: 1,
    })
    const outside = await axes.isAllowed(request({ socketAddress: '192.0.2.1' }))
    expect(outside.reason).toBe('blacklisted')
    expect(outside.allowed).toBe(false)
    for (let i = 0; i < 3; i++) {
      const inside = await axes.loginFailed(request({ socketAddress: '10.1.1.1' }))
      expect(inside.allowed).toBe(true)
      expect(inside.reason).toBe('whitelisted')
      expect(inside.recorded).toBe(false)
    }
    expect(await axes.listAttempts()).toEqual([])
  })

  it('neverLockoutWhitelist: whitelisted failures are never recorded nor locked', async () => {
    const axes = createAxes({
      logger: false,
      neverLockoutWhitelist: true,
      ipWhitelist: [IP],
      failureLimit: 1,
    })
    for (let i = 0; i < 3; i++) expect((await axes.loginFailed(request())).allowed).toBe(true)
    expect(await axes.listAttempts()).toEqual([])
    // and a non-whitelisted client is counted as usual
    expect((await axes.loginFailed(request({ socketAddress: '10.0.0.9' }))).lockedOut).toBe(true)
  })

  it('neverLockoutGet: a GET is always allowed and its failures are not recorded', async () => {
    const axes = createAxes({ logger: false, neverLockoutGet: true, failureLimit: 1 })
    expect((await axes.loginFailed(request({ method: 'GET' }))).reason).toBe('whitelisted')
    expect(await axes.listAttempts()).toEqual([])
    expect((await axes.loginFailed(request())).lockedOut).toBe(true)
    // a locked client's GET is still allowed
    expect((await axes.isAllowed(request({ method: 'GET' }))).allowed).toBe(true)
    expect((await axes.isAllowed(request())).allowed).toBe(false)
  })

  it('whitelistCallable true: never locked, never recorded; false: counted', async () => {
    const axes = createAxes({
      logger: false,
      failureLimit: 1,
      whitelistCallable: (_r, c) => c?.username === 'robot',
    })
    const robot = await axes.loginFailed(request(), { username: 'robot' })
    expect(robot.reason).toBe('whitelisted')
    expect(await axes.listAttempts()).toEqual([])
    const human = await axes.loginFailed(request(), { username: 'human' })
    expect(human.lockedOut).toBe(true)
  })

  it('onlyAdminSite exempts paths outside adminPath before any list is consulted', async () => {
    const axes = createAxes({ logger: false, onlyAdminSite: true, ipBlacklist: [IP] })
    expect((await axes.isAllowed(request({ path: '/login' }))).reason).toBe('notAdminSite')
    expect((await axes.isAllowed(request({ path: '/admin/login/' }))).reason).toBe('blacklisted')
  })
})

describe('onlyAdminSite: the admin path as the loosest router reads it', () => {
  const admin = policy({ onlyAdminSite: true })
  const isAdmin = (path: unknown) => admin.isAdminRequest(request({ path: path as string }))

  it('counts the spellings frameworks route to /admin/…, and leaves other paths exempt', () => {
    for (const path of [
      '/admin/login',
      '/admin',
      '/ADMIN/login',
      '/Admin/login/',
      '//admin/login',
      '/%61dmin/login',
      '/admin%2Flogin',
      '/admin/./login',
    ]) {
      expect({ path, admin: isAdmin(path) }).toEqual({ path, admin: true })
    }
    for (const path of ['/login', '/administrator/login', '/admin-login', '/%zzadmin/', '/']) {
      expect({ path, admin: isAdmin(path) }).toEqual({ path, admin: false })
    }
    // A request without a path is counted, never exempt.
    expect(isAdmin(undefined)).toBe(true)
    expect(
      policy({ onlyAdminSite: true, adminPath: '/Back%20Office/' }).isAdminRequest(
        request({ path: '/back office/login' }),
      ),
    ).toBe(true)
  })

  it('decodes a multi-byte character as one run, and keeps a run that is not UTF-8 as it is', () => {
    expect(comparablePath('/%C3%A9T%C3%A9/')).toBe('/été/')
    expect(comparablePath('/admin%FF/x')).toBe('/admin%ff/x/')
    expect(comparablePath('/a%2F%FFb')).toBe('/a%2f%ffb/')
  })

  it('every router-style respelling of a path under /admin/ stays under it (property)', () => {
    const segment = fc
      .stringMatching(/^[A-Za-z0-9._~-]{1,8}$/)
      .filter((s) => s !== '..' && s !== '.')
    const respell = fc.record({
      upper: fc.boolean(),
      trailing: fc.boolean(),
      doubled: fc.boolean(),
      encodeAt: fc.nat(),
    })
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 4 }), respell, (rest, how) => {
        let path = `/admin/${rest.join('/')}`
        if (how.upper) path = path.toUpperCase()
        if (how.trailing) path += '/'
        if (how.doubled) path = path.replaceAll('/', '//')
        const at = how.encodeAt % path.length
        const char = path[at] as string
        if (char !== '/') {
          path = `${path.slice(0, at)}%${char.charCodeAt(0).toString(16)}${path.slice(at + 1)}`
        }
        expect(comparablePath(path).startsWith('/admin/')).toBe(true)
        expect(isAdmin(path)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
