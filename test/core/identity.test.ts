/**
 * Client identity: django-axes' get_client_username / get_client_ip_address / get_client_str /
 * get_query_str (reference §2, §3.3, §6), with node-axes' normalisation, grouping and caps.
 */
import { describe, expect, it } from 'vitest'
import {
  IdentityResolver,
  MASK,
  requestDataString,
  sensitiveKeys,
} from '../../src/core/identity.js'
import { resolveOptions } from '../../src/core/options.js'
import {
  AxesCallableError,
  type AxesLogRecord,
  type AxesOptions,
  type AxesRequest,
  testHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

function resolver(options: AxesOptions = {}) {
  return new IdentityResolver(resolveOptions({ logger: false, ...options }))
}

function request(overrides: Partial<AxesRequest> = {}): AxesRequest {
  return {
    method: 'POST',
    path: '/admin/login/',
    headers: {},
    socketAddress: '127.0.0.1',
    ...overrides,
  }
}

/** The client node-axes identifies for a request, through the public API. */
async function clientOf(options: AxesOptions, req: AxesRequest, credentials?: object | null) {
  const axes = createAxes({ logger: false, unknownClientIp: 'shareBucket', ...options })
  return (await axes.isAllowed(req, credentials as never)).client
}

describe('username (get_client_username)', () => {
  it('reads the body field by default (request.POST)', () => {
    expect(resolver().username(request({ body: { username: 'alice' } }), null)).toBe('alice')
  })

  it('reads URLSearchParams bodies; a repeated field is malformed, never half-read', () => {
    const r = resolver()
    expect(r.username(request({ body: new URLSearchParams('username=a&password=x') }), null)).toBe(
      'a',
    )
    // django-axes' QueryDict.get takes the last value; node-axes refuses the login instead.
    const body = new URLSearchParams('username=first&username=last&password=x')
    expect(r.username(request({ body }), null)).toBeNull()
    expect(r.malformedField(request({ body }), null)).toBe('username')
  })

  it('an array is malformed; numbers and booleans are their text', () => {
    const r = resolver()
    const array = request({ body: { username: ['a', 'b', 'c'] } })
    expect(r.username(array, null)).toBeNull()
    expect(r.malformedField(array, null)).toBe('username')
    const password = request({ body: { username: 'a', password: ['x'] } })
    expect(r.malformedField(password, null)).toBe('password')
    expect(r.malformedField(request({ body: { username: 'a', password: 'x' } }), null)).toBeNull()
    expect(r.username(request({ body: { username: 42 } }), null)).toBe('42')
    expect(r.username(request({ body: { username: true } }), null)).toBe('true')
  })

  it.each([
    { username: { $ne: '' } },
    { username: [] },
    { username: [['a', 'b']] },
    { username: [{ $gt: '' }] },
    { username: null },
    { other: 'x' },
    {},
  ])('gives no username for %j (objects and nested lists are no value)', (body) => {
    expect(resolver().username(request({ body }), null)).toBeNull()
  })

  it('uses usernameFormField', () => {
    const r = resolver({ usernameFormField: 'email' })
    expect(r.username(request({ body: { email: 'a@x', username: 'b' } }), null)).toBe('a@x')
  })

  it('credentials beat the body (test_get_client_username_credentials_precedence)', () => {
    const req = request({ body: { username: 'from-body' } })
    expect(resolver().username(req, { username: 'from-credentials' })).toBe('from-credentials')
  })

  it('non-empty credentials without the field give no username; the body is not read', () => {
    const req = request({ body: { username: 'from-body' } })
    expect(resolver().username(req, { password: 'secret' })).toBeNull()
  })

  it('empty credentials fall back to the body, as a falsy dict does in Python', () => {
    const req = request({ body: { username: 'from-body' } })
    expect(resolver().username(req, {})).toBe('from-body')
    expect(resolver().username(req, null)).toBe('from-body')
  })

  it('usernameCallable takes precedence over credentials and body, and gets both', () => {
    const seen: unknown[] = []
    const r = resolver({
      usernameCallable: (req, credentials) => {
        seen.push(req.path, credentials)
        return 'from-callable'
      },
    })
    const req = request({ body: { username: 'from-body' } })
    expect(r.username(req, { username: 'from-credentials' })).toBe('from-callable')
    expect(seen).toEqual(['/admin/login/', { username: 'from-credentials' }])
  })

  it('usernameCallable returning null gives no username; a number gives text', () => {
    expect(resolver({ usernameCallable: () => null }).username(request(), null)).toBeNull()
    expect(resolver({ usernameCallable: () => 7 as never }).username(request(), null)).toBe('7')
  })

  it('a throwing usernameCallable is an AxesCallableError naming the option', async () => {
    const boom = new Error('boom')
    const r = resolver({
      usernameCallable: () => {
        throw boom
      },
    })
    try {
      r.username(request(), null)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(AxesCallableError)
      expect((error as AxesCallableError).option).toBe('usernameCallable')
      expect((error as AxesCallableError).cause).toBe(boom)
    }
    const axes = createAxes({
      logger: false,
      usernameCallable: () => {
        throw boom
      },
    })
    await expect(axes.isAllowed(request())).rejects.toBeInstanceOf(AxesCallableError)
  })

  it('is cut to 255 code points without splitting a surrogate pair', () => {
    const r = resolver()
    const emoji = '😀'.repeat(300)
    const cut = r.username(request({ body: { username: emoji } }), null) ?? ''
    expect([...cut]).toHaveLength(255)
    expect(cut).toBe('😀'.repeat(255))
    expect(cut.isWellFormed()).toBe(true)
    const mixed = `${'a'.repeat(254)}😀😀`
    expect(r.username(request({ body: { username: mixed } }), null)).toBe(`${'a'.repeat(254)}😀`)
    expect(r.username(request({ body: { username: 'x'.repeat(1000) } }), null)).toHaveLength(255)
  })

  it('is not normalised by default: Bob and bob are different clients (django-axes)', () => {
    const r = resolver()
    expect(r.username(request({ body: { username: 'Bob' } }), null)).toBe('Bob')
  })

  it.each([
    ['casefold', 'Bob', 'bob'],
    ['casefold', 'BOB', 'bob'],
    ['casefold', 'ｂｏｂ', 'ｂｏｂ'],
    ['casefold', 'Straße', 'strasse'],
    ['nfkc', 'ｂｏｂ', 'bob'],
    ['nfkc', 'Bob', 'Bob'],
    ['nfkc', 'ﬁle', 'file'],
    ['nfkc-casefold', 'Bob', 'bob'],
    ['nfkc-casefold', 'BOB', 'bob'],
    ['nfkc-casefold', 'ＢＯＢ', 'bob'],
    ['nfkc-casefold', 'ｂｏｂ', 'bob'],
    ['nfkc-casefold', 'STRASSE', 'strasse'],
    ['nfkc-casefold', 'Straße', 'strasse'],
  ] as const)('usernameNormalization %s: %s → %s', (mode, input, output) => {
    const r = resolver({ usernameNormalization: mode })
    expect(r.username(request({ body: { username: input } }), null)).toBe(output)
  })

  it('usernameNormalization may be a function; a throwing one is an AxesCallableError', () => {
    const r = resolver({ usernameNormalization: (u) => u.trim().toLowerCase() })
    expect(r.username(request({ body: { username: '  Bob ' } }), null)).toBe('bob')
    const bad = resolver({
      usernameNormalization: () => {
        throw new Error('no')
      },
    })
    expect(() => bad.username(request({ body: { username: 'x' } }), null)).toThrow(
      AxesCallableError,
    )
  })

  it('a normaliser that lengthens the name is still cut to 255', () => {
    const r = resolver({ usernameNormalization: 'nfkc-casefold' })
    // ß folds to ss: 200 ß become 400 characters before the cut.
    expect(r.username(request({ body: { username: 'ß'.repeat(200) } }), null)).toBe('s'.repeat(255))
  })

  it('Bob, BOB and ｂｏｂ share one bucket end to end with nfkc-casefold', async () => {
    const axes = createAxes({
      logger: false,
      lockoutParameters: ['username'],
      usernameNormalization: 'nfkc-casefold',
      failureLimit: 3,
    })
    const fail = (username: string, ip: string) =>
      axes.loginFailed(request({ socketAddress: ip, body: { username } }))
    await fail('Bob', '10.0.0.1')
    await fail('BOB', '10.0.0.2')
    const third = await fail('ｂｏｂ', '10.0.0.3')
    expect(third.lockedOut).toBe(true)
    expect(third.client.username).toBe('bob')
    expect((await fail('alice', '10.0.0.1')).lockedOut).toBe(false)
  })
})

describe('user agent, path, accept (get_client_user_agent / path_info / http_accept)', () => {
  it("default to '<unknown>' when absent", async () => {
    const client = await clientOf({}, { method: 'POST', headers: {} } as unknown as AxesRequest)
    expect(client.userAgent).toBe('<unknown>')
    expect(client.pathInfo).toBe('<unknown>')
    expect(client.httpAccept).toBe('<unknown>')
  })

  it('are read from the request', async () => {
    const client = await clientOf(
      {},
      request({ headers: { 'user-agent': 'curl/8.0', accept: 'text/html' }, path: '/login' }),
    )
    expect(client.userAgent).toBe('curl/8.0')
    expect(client.pathInfo).toBe('/login')
    expect(client.httpAccept).toBe('text/html')
  })

  it('take the first of repeated headers', async () => {
    const client = await clientOf({}, request({ headers: { 'user-agent': ['first', 'second'] } }))
    expect(client.userAgent).toBe('first')
  })

  it('are capped at 255, 255 and 1025 code points (the column lengths)', async () => {
    const client = await clientOf(
      {},
      request({
        headers: { 'user-agent': 'u'.repeat(5000), accept: 'a'.repeat(5000) },
        path: `/${'p'.repeat(5000)}`,
      }),
    )
    expect(client.userAgent).toBe('u'.repeat(255))
    expect(client.pathInfo).toBe(`/${'p'.repeat(254)}`)
    expect(client.httpAccept).toBe('a'.repeat(1025))
  })
})

describe('IP address (get_client_ip_address, reference §6)', () => {
  it('uses the socket address only by default; a spoofed X-Forwarded-For is ignored', async () => {
    const client = await clientOf(
      {},
      request({
        socketAddress: '198.51.100.7',
        headers: { 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '5.6.7.8' },
      }),
    )
    expect(client.ipAddress).toBe('198.51.100.7')
  })

  it('honours X-Forwarded-For with ipwareMetaPrecedenceOrder and ipwareProxyCount', async () => {
    const options: AxesOptions = {
      ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      ipwareProxyCount: 1,
    }
    const honest = await clientOf(
      options,
      request({
        socketAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': '203.0.113.5, 10.0.0.1' },
      }),
    )
    expect(honest.ipAddress).toBe('203.0.113.5')
    // a chain of the wrong length (a client prepending its own entry) is skipped, and so is the
    // one-entry socket address under proxy count 1 (python-ipware strict mode): no IP at all
    const spoofed = await clientOf(
      options,
      request({
        socketAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.5, 10.0.0.1' },
      }),
    )
    expect(spoofed.ipAddress).toBeNull()
  })

  it('clientIpCallable takes precedence over headers and the socket', async () => {
    const client = await clientOf(
      {
        clientIpCallable: () => '2001:DB8:0:0::1',
        ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      },
      request({ socketAddress: '10.0.0.1', headers: { 'x-forwarded-for': '203.0.113.5' } }),
    )
    expect(client.ipAddress).toBe('2001:db8::1')
  })

  it('clientIpCallable returning no address, or garbage, gives no IP', () => {
    expect(resolver({ clientIpCallable: () => null }).rawIp(request())).toBeNull()
    expect(resolver({ clientIpCallable: () => 'not-an-ip' }).rawIp(request())).toBeNull()
    expect(resolver({ clientIpCallable: () => 12 as never }).rawIp(request())).toBeNull()
  })

  it('a throwing clientIpCallable is an AxesCallableError', () => {
    const r = resolver({
      clientIpCallable: () => {
        throw new Error('no')
      },
    })
    expect(() => r.rawIp(request())).toThrow(AxesCallableError)
  })

  it('turns IPv4-mapped IPv6 socket addresses into IPv4, and IPv6 into canonical text', async () => {
    expect((await clientOf({}, request({ socketAddress: '::ffff:10.1.2.3' }))).ipAddress).toBe(
      '10.1.2.3',
    )
    expect(
      (await clientOf({}, request({ socketAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' })))
        .ipAddress,
    ).toBe('2001:db8::1')
  })

  it("counts the IP an adapter's framework resolved (frameworkIp) as it is, in canonical text", () => {
    const r = resolver({ ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] })
    const from = (frameworkIp: string | null) =>
      request({ frameworkIp, socketAddress: '10.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } })
    expect(r.rawIp(from('2001:DB8::7'))).toBe('2001:db8::7')
    expect(r.rawIp(from('::ffff:203.0.113.9'))).toBe('203.0.113.9')
    // No address, or one the framework got wrong: no IP, never the headers' or the socket's.
    expect(r.rawIp(from(''))).toBeNull()
    expect(r.rawIp(from(null))).toBeNull()
    expect(r.rawIp(from('203.0.113.9:443'))).toBeNull()
    // Without frameworkIp the headers are read.
    expect(
      r.rawIp(request({ socketAddress: '10.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } })),
    ).toBe('1.2.3.4')
    // clientIpCallable still comes first.
    expect(resolver({ clientIpCallable: () => '198.51.100.1' }).rawIp(from('2001:db8::7'))).toBe(
      '198.51.100.1',
    )
  })

  it('remembers the socket addresses it resolved without mixing them up', () => {
    const r = resolver()
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const address = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`
        expect(r.rawIp(request({ socketAddress: address }))).toBe(address)
      }
    }
    expect(r.rawIp(request({ socketAddress: '::ffff:10.0.0.1' }))).toBe('10.0.0.1')
    expect(r.rawIp(request({ socketAddress: 'garbage' }))).toBeNull()
    expect(r.rawIp(request({ socketAddress: 'garbage' }))).toBeNull()
    expect(r.rawIp(request({ socketAddress: undefined }))).toBeNull()
  })

  it('groups IPv6 by ipv6Prefix; IPv4 is untouched', () => {
    const r = resolver({ ipv6Prefix: 64 })
    expect(r.countedIp('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::')
    expect(r.countedIp('10.1.2.3')).toBe('10.1.2.3')
    expect(r.countedIp(null)).toBeNull()
    expect(resolver().countedIp('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2:aaaa::1')
  })

  it('a /64 rotating its addresses counts as one client end to end', async () => {
    const run = async (ipv6Prefix: number | null) => {
      const axes = createAxes({ logger: false, ipv6Prefix, failureLimit: 3 })
      const decisions = []
      for (const address of [
        '2001:db8:0:7::1',
        '2001:db8:0:7::2',
        '2001:db8:0:7:abcd:1234:5678:9abc',
      ]) {
        decisions.push(await axes.loginFailed(request({ socketAddress: address })))
      }
      const neighbour = await axes.isAllowed(request({ socketAddress: '2001:db8:0:8::1' }))
      const sameNet = await axes.isAllowed(request({ socketAddress: '2001:db8:0:7::ffff' }))
      return { decisions, neighbour, sameNet, attempts: await axes.listAttempts() }
    }
    const grouped = await run(64)
    expect(grouped.decisions.map((d) => d.failures)).toEqual([1, 2, 3])
    expect(grouped.decisions[2]?.lockedOut).toBe(true)
    expect(grouped.sameNet.allowed).toBe(false)
    expect(grouped.neighbour.allowed).toBe(true)
    expect(grouped.attempts.map((a) => a.ipAddress)).toEqual(['2001:db8:0:7::'])

    const plain = await run(null)
    expect(plain.decisions.map((d) => d.failures)).toEqual([1, 1, 1])
    expect(plain.sameNet.allowed).toBe(true)
  })
})

describe('who logged in (loggedIn, loggedOut)', () => {
  async function logged(user: unknown, options: AxesOptions = {}, req = request()) {
    const handler = testHandler()
    const axes = createAxes({ logger: false, handler, ...options })
    await axes.loggedIn(req, user)
    await axes.loggedOut(req, user)
    const input = (method: string) =>
      handler.calls.find((c) => c.method === method)?.input as
        | { username: string | null; sessionHash: string }
        | undefined
    return { loggedIn: input('loggedIn'), loggedOut: input('loggedOut') }
  }
  const body = { username: 'from-body', password: 'x' }

  it('is the user given: a string, its usernameFormField, else its username property', async () => {
    expect((await logged('carol', {}, request({ body }))).loggedIn?.username).toBe('carol')
    const byField = await logged({ email: 'e@x', username: 'u' }, { usernameFormField: 'email' })
    expect(byField.loggedIn?.username).toBe('e@x')
    expect(byField.loggedOut?.username).toBe('e@x')
    const fallback = await logged({ username: 'dave' }, { usernameFormField: 'email' })
    expect(fallback.loggedIn?.username).toBe('dave')
  })

  it("is the request's username when the user names nobody", async () => {
    for (const user of [undefined, null, 42, { username: 7 }, { id: 1 }]) {
      const { loggedIn, loggedOut } = await logged(user, {}, request({ body }))
      expect(loggedIn?.username, String(user)).toBe('from-body')
      expect(loggedOut?.username, String(user)).toBe('from-body')
    }
  })

  it("stores the SHA-256 of the session id (django-axes' session_hash), '' without one", async () => {
    const hashed = await logged('carol', {}, request({ sessionId: 'session-1' }))
    // sha256sum of "session-1"
    expect(hashed.loggedIn?.sessionHash).toBe(
      '84097828fc31a8c8d29210df48901a85de7fd013f686b17be77d1be29cb7a98b',
    )
    expect(hashed.loggedOut?.sessionHash).toBe(hashed.loggedIn?.sessionHash)
    for (const sessionId of [undefined, null, '']) {
      expect((await logged('carol', {}, request({ sessionId }))).loggedIn?.sessionHash).toBe('')
    }
  })
})

describe('a username given to a reset', () => {
  it('is normalised as request usernames are, so that reset(BOB) finds bob', async () => {
    const handler = testHandler()
    const axes = createAxes({ logger: false, handler, usernameNormalization: 'nfkc-casefold' })
    await axes.reset({ username: 'ＢＯＢ' })
    expect(handler.calls.at(-1)?.input).toMatchObject({ username: 'bob' })
  })

  it('is sanitised and cut to 255 characters as request usernames are', async () => {
    const handler = testHandler()
    const axes = createAxes({ logger: false, handler })
    await axes.reset({ username: `a\0b${'c'.repeat(400)}` })
    const username = (handler.calls.at(-1)?.input as { username: string } | undefined)?.username
    expect(username).toHaveLength(255)
    const request_ = request({ body: { username: `a\0b${'c'.repeat(400)}` } })
    expect((await clientOf({}, request_)).username).toBe(username)
  })

  it('a normaliser that throws is an AxesCallableError; one that returns no text leaves it as given', async () => {
    const throwing = createAxes({
      logger: false,
      handler: testHandler(),
      usernameNormalization: () => {
        throw new Error('no')
      },
    })
    await expect(throwing.reset({ username: 'bob' })).rejects.toThrow(AxesCallableError)
    const handler = testHandler()
    const odd = createAxes({ logger: false, handler, usernameNormalization: () => 5 as never })
    await odd.reset({ username: 'Bob' })
    expect(handler.calls.at(-1)?.input).toMatchObject({ username: 'Bob' })
  })
})

describe('client string (get_client_str)', () => {
  const ua = 'Googlebot/2.1 (+http://www.googlebot.com/bot.html)'
  const client = {
    username: 'test@example.com',
    ipAddress: '127.0.0.1',
    userAgent: ua,
    pathInfo: '/admin/',
    httpAccept: '<unknown>',
  }
  const verboseExpected = `{username: "test@example.com", ip_address: "127.0.0.1", user_agent: "${ua}", path_info: "/admin/"}`

  it.each([
    [['ip_address'], verboseExpected],
    [['username'], verboseExpected],
    [[['username', 'ip_address']], verboseExpected],
    [[['ip_address', 'user_agent']], verboseExpected],
  ])('verbose, %j: every field', (parameters, expected) => {
    const r = resolver({ verbose: true, sensitiveParameters: [] })
    expect(r.clientString(client, request(), parameters as never)).toBe(expected)
  })

  it.each([
    [['ip_address'], '{ip_address: "127.0.0.1", path_info: "/admin/"}'],
    [['username'], '{username: "test@example.com", path_info: "/admin/"}'],
    [
      [['username', 'ip_address']],
      '{username: "test@example.com", ip_address: "127.0.0.1", path_info: "/admin/"}',
    ],
    [
      [['ip_address', 'user_agent']],
      `{ip_address: "127.0.0.1", user_agent: "${ua}", path_info: "/admin/"}`,
    ],
    [
      ['username', 'ip_address'],
      '{username: "test@example.com", ip_address: "127.0.0.1", path_info: "/admin/"}',
    ],
  ])('not verbose, %j: the lockout-parameter fields, path_info last', (parameters, expected) => {
    const r = resolver({ verbose: false, sensitiveParameters: [] })
    expect(r.clientString(client, request(), parameters as never)).toBe(expected)
  })

  it('not verbose shows a missing username as None, as Python formats it', () => {
    const r = resolver({ verbose: false, sensitiveParameters: [] })
    expect(r.clientString({ ...client, username: null }, request(), ['username'])).toBe(
      '{username: "None", path_info: "/admin/"}',
    )
    const v = resolver({ verbose: true, sensitiveParameters: [] })
    expect(v.clientString({ ...client, username: null }, request(), ['ip_address'])).toBe(
      `{username: "None", ip_address: "127.0.0.1", user_agent: "${ua}", path_info: "/admin/"}`,
    )
  })

  it('keeps imbalanced quotes as they are (test_imbalanced_quotes)', () => {
    const r = resolver({ verbose: true, sensitiveParameters: [] })
    expect(
      r.clientString({ ...client, username: 'butterfly.. },,,' }, request(), ['ip_address']),
    ).toBe(
      `{username: "butterfly.. },,,", ip_address: "127.0.0.1", user_agent: "${ua}", path_info: "/admin/"}`,
    )
  })

  it('masks sensitive parameters (by default username and ip_address)', () => {
    expect(resolver({ verbose: true }).clientString(client, request(), ['ip_address'])).toBe(
      `{username: "${MASK}", ip_address: "${MASK}", user_agent: "${ua}", path_info: "/admin/"}`,
    )
    expect(
      resolver({ verbose: true, sensitiveParameters: ['username'] }).clientString(
        client,
        request(),
        ['ip_address'],
      ),
    ).toBe(
      `{username: "${MASK}", ip_address: "127.0.0.1", user_agent: "${ua}", path_info: "/admin/"}`,
    )
    expect(
      resolver({
        verbose: false,
        sensitiveParameters: [],
        passwordFormField: 'username',
      }).clientString(client, request(), ['username']),
    ).toBe(`{username: "${MASK}", path_info: "/admin/"}`)
  })

  it('clientStrCallable builds the string from (username, ip, user agent, path, request)', () => {
    const req = request()
    const seen: unknown[] = []
    const r = resolver({
      clientStrCallable: (...args) => {
        seen.push(...args)
        return 'client string'
      },
    })
    expect(r.clientString(client, req, ['ip_address'])).toBe('client string')
    expect(seen).toEqual(['test@example.com', '127.0.0.1', ua, '/admin/', req])
  })

  it('a throwing clientStrCallable is an AxesCallableError', () => {
    const r = resolver({
      clientStrCallable: () => {
        throw new Error('no')
      },
    })
    expect(() => r.clientString(client, request(), ['ip_address'])).toThrow(AxesCallableError)
  })

  it('escapes control characters so a username cannot forge log lines', () => {
    const r = resolver({ verbose: true, sensitiveParameters: [] })
    const text = r.clientString(
      { ...client, username: 'eve"\n2026 AXES: Successful login by admin\r\u0085\u2028' },
      request(),
      ['ip_address'],
    )
    expect(text).not.toMatch(/[\r\n\u0085\u2028]/)
    expect(text).toContain('eve"\\u000a2026 AXES: Successful login by admin\\u000d\\u0085\\u2028')
  })

  it('appears in the failure log line through createAxes', async () => {
    const lines: string[] = []
    const logger = { info: (r: AxesLogRecord) => lines.push(r.msg), warn() {}, error() {} }
    const axes = createAxes({
      logger,
      sensitiveParameters: [],
      verbose: false,
      failureLimit: 3,
      lockoutParameters: ['ip_address'],
    })
    await axes.loginFailed(request({ socketAddress: '10.9.8.7' }))
    expect(lines).toContain(
      'AXES: Repeated login failure by {ip_address: "10.9.8.7", path_info: "/admin/login/"}. Count = 1 of 3.',
    )
  })
})

describe('request data (get_query_str → get_data / post_data)', () => {
  const sensitive = (options: AxesOptions = {}) =>
    sensitiveKeys(resolveOptions({ logger: false, ...options }))

  it('writes key=value lines, password always masked (test_cleanse_parameters)', () => {
    const body = { username: 'test_user', password: 'test_password', other: 'sensitive' }
    expect(requestDataString(body, sensitive({ sensitiveParameters: [] }))).toBe(
      `username=test_user\npassword=${MASK}\nother=sensitive`,
    )
  })

  it('masks sensitiveParameters (default username and ip_address) and passwordFormField', () => {
    const body = { username: 'u', ip_address: '1.2.3.4', password: 'p', pin: '1234', x: 'y' }
    expect(requestDataString(body, sensitive())).toBe(
      `username=${MASK}\nip_address=${MASK}\npassword=${MASK}\npin=1234\nx=y`,
    )
    expect(
      requestDataString(body, sensitive({ sensitiveParameters: ['x'], passwordFormField: 'pin' })),
    ).toBe(`username=u\nip_address=1.2.3.4\npassword=${MASK}\npin=${MASK}\nx=${MASK}`)
  })

  it('keeps the last value per key (QueryDict.items); an array of a parsed body is shown whole', () => {
    const none = sensitive({ sensitiveParameters: [] })
    expect(requestDataString(new URLSearchParams('a=1&b=2&a=3'), none)).toBe('a=3\nb=2')
    expect(requestDataString({ a: ['1', '2', '3'] }, none)).toBe('a=["1","2","3"]')
  })

  it('is capped at 1024 characters (test_log_data_truncated)', () => {
    const text = requestDataString({ 'too-large-field': 'x'.repeat(2 ** 16) }, sensitive())
    expect(text).toHaveLength(1024)
    expect(text.startsWith('too-large-field=xxx')).toBe(true)
  })

  it('writes NUL as 0x00 and stays within the cap after doing so', () => {
    const none = sensitive({ sensitiveParameters: [] })
    expect(requestDataString({ a: 'x\0y' }, none)).toBe('a=x0x00y')
    const text = requestDataString({ a: '\0'.repeat(2000) }, none)
    expect(text).not.toContain('\0')
    expect(text.length).toBeLessThanOrEqual(1024)
  })

  it('is empty for no query or body', () => {
    expect(requestDataString(undefined, sensitive())).toBe('')
    expect(requestDataString(null, sensitive())).toBe('')
  })

  it('is what a handler is given to store, for the query and the body', async () => {
    const handler = testHandler()
    const axes = createAxes({ logger: false, handler, sensitiveParameters: ['otp'] })
    await axes.loginFailed(
      request({
        query: new URLSearchParams('next=/home&otp=123456'),
        body: { username: 'alice', password: 'hunter2', otp: '654321' },
      }),
    )
    const call = handler.calls.find((c) => c.method === 'recordFailure')
    expect(call).toBeDefined()
    const input = call?.input as { attempt: { getData: string; postData: string } } | undefined
    expect(input?.attempt.getData).toBe(`next=/home\notp=${MASK}`)
    expect(input?.attempt.postData).toBe(`username=alice\npassword=${MASK}\notp=${MASK}`)
  })
})

describe('what a request may hold that is not what it should be', () => {
  it('headers that are no record, or a header whose first value is no text, are absent', async () => {
    for (const headers of [null, 'user-agent: x', undefined]) {
      const client = await clientOf({}, request({ headers: headers as never }))
      expect(client.userAgent).toBe('<unknown>')
    }
    const odd = await clientOf({}, request({ headers: { 'user-agent': [5, 'b'] as never } }))
    expect(odd.userAgent).toBe('<unknown>')
  })

  it('a username given as true, a bigint or null is its text, or none; null is not malformed', async () => {
    expect((await clientOf({}, request({ body: { username: true } }))).username).toBe('true')
    expect((await clientOf({}, request({ body: { username: 10n } }))).username).toBe('10')
    const axes = createAxes({ logger: false, unknownClientIp: 'shareBucket' })
    const decision = await axes.isAllowed(request({ body: { username: null, password: 'x' } }))
    expect(decision.reason).not.toBe('malformedCredentials')
    expect(decision.client.username).toBeNull()
  })

  it('a body of null, or of text, has no fields (and never throws)', async () => {
    expect((await clientOf({}, request({ body: null }))).username).toBeNull()
    expect((await clientOf({}, request({ body: 'username=bob' }))).username).toBeNull()
    const none = sensitiveKeys(resolveOptions({ logger: false, sensitiveParameters: [] }))
    expect(requestDataString('username=bob', none)).toBe('')
    // Only the body's own fields: nothing inherited is read or stored.
    const inherited = Object.create({ username: 'evil' }) as Record<string, unknown>
    inherited.password = 'x'
    expect(requestDataString(inherited, none)).toBe('password=********************')
    expect((await clientOf({}, request({ body: inherited }))).username).toBeNull()
  })

  it('nfkc-casefold gives the composed form (NFKC) after folding', () => {
    // ΐ folds through its capital to three code points; NFKC composes them again.
    const r = resolver({ usernameNormalization: 'nfkc-casefold' })
    expect(r.username(request({ body: { username: '\u0390' } }), null)).toBe('\u0390')
  })

  it('a normaliser that returns no text gives no username; the errors name each option', () => {
    expect(
      resolver({ usernameNormalization: () => 5 as never }).username(
        request({ body: { username: 'bob' } }),
        null,
      ),
    ).toBeNull()
    const thrower = () => {
      throw new Error('no')
    }
    const optionOf = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return (error as AxesCallableError).option
      }
      return undefined
    }
    const req = request({ body: { username: 'bob' } })
    expect(optionOf(() => resolver({ clientIpCallable: thrower }).rawIp(req))).toBe(
      'clientIpCallable',
    )
    expect(optionOf(() => resolver({ usernameNormalization: thrower }).username(req, null))).toBe(
      'usernameNormalization',
    )
    const client = resolver().identify(req, null)
    expect(
      optionOf(() => resolver({ clientStrCallable: thrower }).clientString(client, req, [])),
    ).toBe('clientStrCallable')
  })

  it('the credentials a loginFailed listener sees are masked with twenty asterisks', async () => {
    const axes = createAxes({ logger: false, failureLimit: 10 })
    const seen: unknown[] = []
    axes.on('loginFailed', (event) => seen.push(event.credentials))
    await axes.loginFailed(request({ socketAddress: '10.0.0.5' }), {
      username: 'bob',
      password: 'hunter2',
      otp: '123',
    })
    expect(seen).toEqual([
      { username: '********************', password: '********************', otp: '123' },
    ])
  })

  it('with forwarding headers in the precedence, each request is resolved on its own', () => {
    const r = resolver({ ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] })
    const from = (forwarded: string) =>
      request({ socketAddress: '10.0.0.1', headers: { 'x-forwarded-for': forwarded } })
    expect(r.rawIp(from('203.0.113.1'))).toBe('203.0.113.1')
    expect(r.rawIp(from('203.0.113.2'))).toBe('203.0.113.2')
    expect(r.rawIp(request({ socketAddress: '10.0.0.1' }))).toBe('10.0.0.1')
  })

  it('a short ipv6Prefix never groups IPv4 addresses', () => {
    expect(resolver({ ipv6Prefix: 16 }).countedIp('10.1.2.3')).toBe('10.1.2.3')
    expect(resolver({ ipv6Prefix: 16 }).countedIp('2001:db8::1')).toBe('2001::')
  })

  it('without ipv6Prefix an IPv6 address is counted whole', () => {
    const r = resolver({ ipv6Prefix: null })
    expect(r.countedIp('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2:aaaa:bbbb:cccc:dddd')
  })
})
