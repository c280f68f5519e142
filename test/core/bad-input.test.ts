/**
 * Bad input: whatever a client sends (or an adapter hands over), node-axes answers with a
 * decision, never a throw, and what it stores is well-formed: valid UTF-16 without lone
 * surrogates, no NUL, within django-axes' column lengths.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdentityResolver, requestDataString, sensitiveKeys } from '../../src/core/identity.js'
import { OPTION_NAMES, resolveOptions } from '../../src/core/options.js'
import {
  AxesConfigError,
  type AxesOptions,
  type AxesRequest,
  type ClientIdentity,
  type LockoutDecision,
  testHandler,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'
import { propertyRuns } from '../support/thoroughness.js'

const MB = 1024 * 1024
const RUNS = propertyRuns(10_000)

/** A request as an adapter might (wrongly) hand it over: any field may be anything. */
function raw(fields: Record<string, unknown>): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: {},
    socketAddress: '10.0.0.1',
    ...fields,
  } as unknown as AxesRequest
}

function codePoints(text: string): number {
  return [...text].length
}

/** A stored or reported string is valid UTF-16, NUL-free and at most `max` characters long. */
function expectWellFormed(text: string | null, max: number): void {
  if (text === null) return
  expect(typeof text).toBe('string')
  expect(text.isWellFormed()).toBe(true)
  expect(text.includes('\0')).toBe(false)
  expect(codePoints(text)).toBeLessThanOrEqual(max)
}

function expectWellFormedClient(client: ClientIdentity): void {
  expectWellFormed(client.ipAddress, 39)
  expectWellFormed(client.username, 255)
  expectWellFormed(client.userAgent, 255)
  expectWellFormed(client.pathInfo, 255)
  expectWellFormed(client.httpAccept, 1025)
}

/** The same checks without `expect`, for the hot loop of the properties. */
function isWellFormed(text: string | null, max: number): boolean {
  if (text === null) return true
  if (typeof text !== 'string' || !text.isWellFormed() || text.includes('\0')) return false
  return text.length <= max || codePoints(text) <= max
}

function assertWellFormedClient(client: ClientIdentity): void {
  const ok =
    isWellFormed(client.ipAddress, 39) &&
    isWellFormed(client.username, 255) &&
    isWellFormed(client.userAgent, 255) &&
    isWellFormed(client.pathInfo, 255) &&
    isWellFormed(client.httpAccept, 1025)
  if (!ok) throw new Error(`malformed client ${JSON.stringify(client)}`)
}

function assertDecision(decision: LockoutDecision): void {
  if (typeof decision.allowed !== 'boolean' || typeof decision.reason !== 'string') {
    throw new Error(`not a decision: ${String(decision)}`)
  }
  assertWellFormedClient(decision.client)
}

function expectDecision(decision: LockoutDecision): void {
  expect(typeof decision.allowed).toBe('boolean')
  expect(typeof decision.reason).toBe('string')
  expect(Number.isInteger(decision.failures)).toBe(true)
  expectWellFormedClient(decision.client)
}

/** Runs a request through isAllowed, loginFailed and protect, on the memory and test handlers. */
async function runEverywhere(req: AxesRequest, credentials: unknown = null) {
  const options: AxesOptions = {
    logger: false,
    failureLimit: 2,
    lockoutParameters: [['ip_address', 'username', 'user_agent']],
    ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
    // A hostile socket address resolves to no IP: counted in the shared bucket here (the default,
    // 'refuse', throws AXES_NO_CLIENT_IP: test/adapters/hono/unknown-ip.test.ts).
    unknownClientIp: 'shareBucket',
  }
  const axes = createAxes(options)
  const handler = testHandler()
  const recording = createAxes({ ...options, handler })
  const creds = credentials as never
  const decisions = [
    await axes.isAllowed(req, creds),
    await axes.loginFailed(req, creds),
    (await axes.protect(req, creds, () => null)).decision,
    await axes.loginFailed(req, creds),
    await axes.isAllowed(req, creds),
    await recording.loginFailed(req, creds),
    (await recording.protect(req, creds, () => null)).decision,
  ]
  for (const decision of decisions) expectDecision(decision)
  const attempts = await axes.listAttempts()
  for (const attempt of attempts) {
    expectWellFormed(attempt.ipAddress, 39)
    expectWellFormed(attempt.username, 255)
    expectWellFormed(attempt.userAgent, 255)
  }
  const records = handler.calls
    .filter((c) => c.method === 'recordFailure' || c.method === 'settle')
    .map((c) => (c.input as { attempt: Record<string, string | null> }).attempt)
  expect(records.length).toBeGreaterThan(0)
  for (const record of records) {
    expectWellFormed(record.username ?? null, 255)
    expectWellFormed(record.userAgent ?? null, 255)
    expectWellFormed(record.pathInfo ?? null, 255)
    expectWellFormed(record.httpAccept ?? null, 1025)
    expectWellFormed(record.getData ?? null, 1024)
    expectWellFormed(record.postData ?? null, 1024)
  }
  return { decisions, attempts, records, locked: decisions[3] as LockoutDecision }
}

describe('strings that are not what they should be', () => {
  it('NUL bytes in the username, user agent and path are replaced, and counted', async () => {
    const { decisions, attempts } = await runEverywhere(
      raw({
        path: '/log\0in',
        headers: { 'user-agent': 'agent\0x', accept: 'a\0b' },
        body: { username: 'ad\0min' },
      }),
    )
    expect(decisions[1]?.client.username).toBe('ad\uFFFDmin')
    expect(decisions[1]?.client.userAgent).toBe('agent\uFFFDx')
    expect(decisions[1]?.client.pathInfo).toBe('/log\uFFFDin')
    expect(decisions[3]?.lockedOut).toBe(true)
    expect(attempts[0]?.username).toBe('ad\uFFFDmin')
  })

  it('NUL in the body and query is stored as 0x00', async () => {
    const { records } = await runEverywhere(
      raw({ query: { next: 'a\0b' }, body: { username: 'x', note: '\0' } }),
    )
    expect(records[0]?.getData).toBe('next=a0x00b')
    expect(records[0]?.postData).toBe('username=********************\nnote=0x00')
  })

  it('1 MB usernames, user agents, paths and headers are cut to the column lengths', async () => {
    const big = 'x'.repeat(MB)
    const { decisions, records } = await runEverywhere(
      raw({
        path: `/${big}`,
        headers: { 'user-agent': big, accept: big, 'x-forwarded-for': big, cookie: big },
        body: { username: big, password: big, other: big },
        query: { q: big },
      }),
    )
    const client = decisions[1]?.client
    expect(client?.username).toHaveLength(255)
    expect(client?.userAgent).toHaveLength(255)
    expect(client?.pathInfo).toHaveLength(255)
    expect(client?.httpAccept).toHaveLength(1025)
    // the oversized forwarded-for header is skipped, the socket address is used
    expect(client?.ipAddress).toBe('10.0.0.1')
    expect(records[0]?.postData).toHaveLength(1024)
    expect(records[0]?.getData).toHaveLength(1024)
  })

  it('1 MB of emoji is cut without splitting a character', async () => {
    const { decisions } = await runEverywhere(raw({ body: { username: '😀'.repeat(MB / 2) } }))
    expect(decisions[1]?.client.username).toBe('😀'.repeat(255))
  })

  it('lone surrogates become U+FFFD; 4-byte UTF-8 characters are kept', async () => {
    const { decisions, attempts } = await runEverywhere(
      raw({
        headers: { 'user-agent': 'ua\uDC00' },
        body: { username: '\uD800a𝒜😀\uDFFF' },
      }),
    )
    expect(decisions[1]?.client.username).toBe('\uFFFDa𝒜😀\uFFFD')
    expect(decisions[1]?.client.userAgent).toBe('ua\uFFFD')
    expect(attempts[0]?.username).toBe('\uFFFDa𝒜😀\uFFFD')
  })

  it('a lone surrogate cut at the 255th character does not leave half a pair', async () => {
    const { decisions } = await runEverywhere(raw({ body: { username: `${'a'.repeat(254)}😀` } }))
    expect(decisions[1]?.client.username).toBe(`${'a'.repeat(254)}😀`)
    const cut = await runEverywhere(raw({ body: { username: `${'a'.repeat(255)}😀` } }))
    expect(cut.decisions[1]?.client.username).toBe('a'.repeat(255))
  })
})

describe('IPs and headers that are not what they claim', () => {
  it.each([
    'garbage',
    'garbage, 1.2.3.4',
    ', , ,',
    '999.1.1.1',
    '1.2.3.4\r\nX-Evil: 1',
    '[::1',
    `${'1.2.3.4, '.repeat(500)}1.2.3.4`,
    '\u0000',
  ])('X-Forwarded-For %j falls back to the socket address', async (header) => {
    const { decisions } = await runEverywhere(raw({ headers: { 'x-forwarded-for': header } }))
    expect(decisions[1]?.client.ipAddress).toBe('10.0.0.1')
  })

  it.each([['not-an-ip'], [''], [42], [{}], [null], [undefined], ['1.2.3.4/24']])(
    'socketAddress %j gives no IP, and a decision',
    async (socketAddress) => {
      const { decisions, locked } = await runEverywhere(raw({ socketAddress }))
      expect(decisions[1]?.client.ipAddress).toBeNull()
      // all such clients share one bucket: they are counted, and locked, together
      expect(locked.lockedOut).toBe(true)
    },
  )

  it.each([['10.0.0.1\n'], [' 10.0.0.1 '], [['10.0.0.1']]])(
    'socketAddress %j is read as python-ipware reads REMOTE_ADDR: stripped, joined',
    async (socketAddress) => {
      const { decisions } = await runEverywhere(raw({ socketAddress }))
      expect(decisions[1]?.client.ipAddress).toBe('10.0.0.1')
    },
  )

  it('header values that are numbers, arrays of junk, or objects are treated as absent', async () => {
    const { decisions } = await runEverywhere(
      raw({
        headers: {
          'user-agent': 42,
          accept: [{}, 'text/html'],
          'x-forwarded-for': ['1.2.3.4', 5],
          'x-requested-with': {},
        },
      }),
    )
    expect(decisions[1]?.client.userAgent).toBe('<unknown>')
    expect(decisions[1]?.client.httpAccept).toBe('<unknown>')
    expect(decisions[1]?.client.ipAddress).toBe('10.0.0.1')
  })

  it('a method or path that is not a string still gives a decision', async () => {
    const { decisions } = await runEverywhere(raw({ method: 5, path: { toString: 1 } }))
    expect(decisions[1]?.client.pathInfo).toBe('<unknown>')
  })
})

describe('bodies and fields that are not strings', () => {
  it.each([
    [{ username: { $ne: null } }],
    [{ username: ['a', 'b'] }],
    [{ username: [['nested']] }],
    [{ username: [] }],
    [{ username: 'alice', password: ['a', 'b'] }],
    [{ username: 'alice', password: { $gt: '' } }],
    [new URLSearchParams('username=a&username=b')],
  ])('body %j is refused with 400, never half-read, nothing recorded', async (body) => {
    const handler = testHandler()
    const axes = createAxes({ logger: false, failureLimit: 2, handler })
    const request = raw({ body })
    const decisions = [
      await axes.isAllowed(request),
      (await axes.reserve(request)).decision,
      await axes.loginFailed(request),
      (await axes.protect(request, null, () => 'user')).decision,
    ]
    for (const decision of decisions) {
      expect(decision).toMatchObject({ allowed: false, reason: 'malformedCredentials' })
      expect(decision.recorded).toBe(false)
      // A malformed username is no username (a malformed password leaves alice as she is).
      expect([null, 'alice']).toContain(decision.client.username)
    }
    const response = await axes.lockoutResponse(request, decisions[0] as LockoutDecision)
    expect(response.status).toBe(400)
    expect(handler.calls.filter((c) => c.method !== 'getFailures')).toEqual([])
  })

  it.each([
    [{ username: 12345 }, '12345'],
    [{ username: null }, null],
    [{ username: Number.NaN }, 'NaN'],
  ])('body %j gives username %j', async (body, username) => {
    const { decisions } = await runEverywhere(raw({ body }))
    expect(decisions[1]?.client.username).toBe(username)
  })

  it('a bigint username is its text', async () => {
    const { decisions } = await runEverywhere(raw({ body: { username: 10n } }))
    expect(decisions[1]?.client.username).toBe('10')
  })

  it('prototype-pollution keys are plain data and pollute nothing', async () => {
    const body = JSON.parse(
      '{"__proto__": {"polluted": "yes", "username": "evil"}, "constructor": {"prototype": {"polluted": "yes"}}, "password": "x"}',
    )
    const { decisions, records } = await runEverywhere(raw({ body, query: body }))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(decisions[1]?.client.username).toBeNull()
    expect(records[0]?.postData).toBe(
      '__proto__={"polluted":"yes","username":"evil"}\nconstructor={"prototype":{"polluted":"yes"}}\npassword=********************',
    )
  })

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'usernameFormField %j reads only own fields, never the prototype',
    async (field) => {
      const axes = createAxes({ logger: false, usernameFormField: field })
      const decision = await axes.loginFailed(raw({ body: {} }))
      expect(decision.client.username).toBeNull()
      const given = await axes.loginFailed(raw({ body: JSON.parse(`{"${field}": "alice"}`) }))
      expect(given.client.username).toBe('alice')
    },
  )

  it.each([
    ['a string', 'username=bob&password=x'],
    ['a Buffer', Buffer.from('username=bob&password=x')],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['an ArrayBuffer', new ArrayBuffer(8)],
    ['an array', ['username', 'bob']],
    ['a number', 42],
    ['null', null],
    ['a Map', new Map([['username', 'bob']])],
  ])('a body that is %s has no fields: no username, empty post_data', async (_name, body) => {
    const { decisions, records } = await runEverywhere(raw({ body, query: body }))
    expect(decisions[1]?.client.username).toBeNull()
    expect(records[0]?.postData).toBe('')
    expect(records[0]?.getData).toBe('')
  })

  it('credentials whose username is an object are refused, a number is its text', async () => {
    const axes = createAxes({ logger: false })
    const object = await axes.loginFailed(raw({ body: { username: 'from-body' } }), {
      username: { $gt: '' },
      password: 'x',
    })
    expect(object).toMatchObject({ allowed: false, reason: 'malformedCredentials' })
    expect(object.client.username).toBeNull()
    const number = await runEverywhere(raw({}), { username: 7 })
    expect(number.decisions[1]?.client.username).toBe('7')
  })

  it('a body with thousands of keys is stored capped, and quickly', async () => {
    const body = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'v']))
    const started = performance.now()
    const { records } = await runEverywhere(raw({ body }))
    expect(performance.now() - started).toBeLessThan(2000)
    expect((records[0]?.postData ?? '').length).toBeLessThanOrEqual(1024)
  })

  it('values that cannot be written as JSON are stored as empty', async () => {
    const circular: Record<string, unknown> = {}
    circular.self = circular
    const { records } = await runEverywhere(raw({ body: { circular, big: { n: 1n } } }))
    expect(records[0]?.postData).toBe('circular=\nbig=')
  })
})

// ----- properties -----

/** Any UTF-16 text, lone surrogates included. */
const utf16 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units))

const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  utf16,
  fc.constantFrom('', '\0', '\r\n', '\uD800', '😀', 'ß', 'İ', '\u2028', '%00', '+', ' '),
  fc.string({
    unit: fc.constantFrom('a', '\0', '\n', '\uDC00', '😀', '%', '&', '=', '#'),
    maxLength: 300,
  }),
)

const junk = fc.oneof(
  nasty,
  fc.anything({
    maxDepth: 1,
    maxKeys: 3,
    withBigInt: true,
    withTypedArray: true,
    withNullPrototype: true,
  }),
)

const headerValues = fc.oneof(nasty, fc.array(nasty, { maxLength: 3 }), junk)

const requests = fc.record({
  method: fc.oneof(fc.constantFrom('POST', 'GET', 'get'), junk),
  path: fc.oneof(nasty, junk),
  headers: fc.record(
    {
      'user-agent': headerValues,
      accept: fc.oneof(headerValues, fc.constant('application/json')),
      'x-forwarded-for': fc.oneof(
        headerValues,
        fc.ipV4().map((ip) => `${ip}, 10.0.0.1`),
        fc.ipV6(),
      ),
      'x-requested-with': fc.oneof(fc.constant('XMLHttpRequest'), headerValues),
    },
    { requiredKeys: [] },
  ),
  socketAddress: fc.oneof(fc.ipV4(), fc.ipV6(), nasty, junk),
  query: fc.oneof(fc.dictionary(nasty, junk, { maxKeys: 4 }), junk),
  body: fc.oneof(
    fc.record({ username: fc.oneof(nasty, junk), password: junk }, { requiredKeys: [] }),
    fc.dictionary(nasty, junk, { maxKeys: 4 }),
    junk,
  ),
})

const credentialsArb = fc.oneof(
  fc.constant(null),
  fc.dictionary(fc.constantFrom('username', 'password', 'email', '__proto__'), junk, {
    maxKeys: 3,
  }),
)

describe('properties', () => {
  it('option validation: any options object gives an instance or one AxesConfigError naming each bad key', () => {
    const names = OPTION_NAMES.filter((name) => name !== 'handler' && name !== 'logger')
    const key = fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 20 }))
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.integer(),
      fc.double(),
      fc.constantFrom(
        '15m',
        'PT1H',
        '1h',
        '',
        'ip_address',
        ['ip_address'],
        [['username', 'ip_address']],
      ),
    )
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (given) => {
        const options = { ...given, handler: 'dummy', logger: false } as AxesOptions
        let axes: ReturnType<typeof createAxes> | undefined
        try {
          axes = createAxes(options)
        } catch (error) {
          expect(error).toBeInstanceOf(AxesConfigError)
          const issues = (error as AxesConfigError).issues
          expect(issues.length).toBeGreaterThan(0)
          // Every issue names a key that was given, and says something about it.
          for (const issue of issues) {
            expect(Object.hasOwn(given, issue.key) || issue.key === '(options)').toBe(true)
            expect(issue.message.length).toBeGreaterThan(0)
          }
          // Every unknown key is among them.
          for (const k of Object.keys(given)) {
            if (given[k] !== undefined && !OPTION_NAMES.includes(k)) {
              expect(issues.map((i) => i.key)).toContain(k)
            }
          }
          return
        }
        expect(typeof axes.isAllowed).toBe('function')
      }),
      { numRuns: RUNS },
    )
  })

  it('no input to identity resolution throws, and what comes out is well-formed', () => {
    const options = resolveOptions({
      logger: false,
      ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      ipwareProxyCount: 1,
      usernameNormalization: 'nfkc-casefold',
      ipv6Prefix: 64,
      sensitiveParameters: [],
    })
    const identity = new IdentityResolver(options)
    const sensitive = sensitiveKeys(options)
    const verbose = new IdentityResolver(resolveOptions({ logger: false, verbose: false }))
    fc.assert(
      fc.property(requests, credentialsArb, (fields, credentials) => {
        const req = raw(fields)
        const client = identity.identify(req, credentials as never)
        assertWellFormedClient(client)
        for (const text of [
          identity.clientString(client, req, ['ip_address', ['username', 'user_agent']]),
          verbose.clientString(client, req, ['username']),
        ]) {
          if (!text.isWellFormed() || /[\r\n\0]/.test(text)) return false
        }
        return (
          isWellFormed(requestDataString(fields.query, sensitive), 1024) &&
          isWellFormed(requestDataString(fields.body, sensitive), 1024)
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('no request makes the engine throw: every call gives a decision', async () => {
    const axes = createAxes({
      logger: false,
      failureLimit: 3,
      lockoutParameters: ['ip_address', ['username', 'user_agent']],
      ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'],
      usernameNormalization: 'nfkc-casefold',
      ipv6Prefix: 64,
      // Generated socket addresses may be no IP at all (the runtime's mistake, never the
      // client's): counted in the shared bucket here; by default they are refused with
      // AXES_NO_CLIENT_IP (test/adapters/hono/unknown-ip.test.ts).
      unknownClientIp: 'shareBucket',
    })
    await fc.assert(
      fc.asyncProperty(requests, credentialsArb, async (fields, credentials) => {
        const req = raw(fields)
        const decision = await axes.loginFailed(req, credentials as never)
        assertDecision(decision)
        assertDecision(await axes.isAllowed(raw(fields), credentials as never))
        const response = await axes.lockoutResponse(req, decision)
        return response.status >= 300
      }),
      { numRuns: RUNS },
    )
    for (const attempt of await axes.listAttempts()) {
      expectWellFormed(attempt.ipAddress, 39)
      expectWellFormed(attempt.username, 255)
      expectWellFormed(attempt.userAgent, 255)
    }
  })

  /** Text createAxes accepts for lockoutUrl / allowedCorsOrigins: no control characters. */
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is filtered
  const noControl = (text: string) => text.length > 0 && !/[\u0000-\u001f\u007f]/.test(text)

  it('every lockout response has header values without CR or LF', async () => {
    await fc.assert(
      fc.asyncProperty(
        nasty,
        fc.oneof(fc.constant('/locked/'), nasty.filter(noControl)),
        fc.oneof(fc.constant('*'), nasty.filter(noControl)),
        fc.constantFrom('plain', 'xhr', 'json', 'url', 'template'),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: null }),
        async (username, lockoutUrl, allowedCorsOrigins, form, retryAfter, cooloffMs) => {
          const axes = createAxes({
            logger: false,
            failureLimit: 1,
            allowedCorsOrigins,
            enableRetryAfterHeader: retryAfter,
            cooloffTime: cooloffMs === null ? null : { milliseconds: cooloffMs },
            lockoutUrl: form === 'url' ? lockoutUrl : null,
            lockoutTemplate: form === 'template' ? (c) => `<p>${c.username}</p>` : null,
          })
          const headers: Record<string, string> = {}
          if (form === 'xhr') headers['x-requested-with'] = 'XMLHttpRequest'
          if (form === 'json') headers.accept = 'application/json'
          const req = raw({ headers, body: { username } })
          const decision = await axes.loginFailed(req)
          if (!decision.lockedOut) return false
          const response = await axes.lockoutResponse(req, decision, { username })
          return Object.values(response.headers).every(
            (value) => typeof value === 'string' && !/[\r\n\0]/.test(value),
          )
        },
      ),
      { numRuns: RUNS },
    )
  })

  it("the redirect's Location starts with lockoutUrl and round-trips the username", async () => {
    const wellFormed = fc
      .oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({
          unit: fc.constantFrom('a', ' ', '+', '&', '=', '%', '#', '?', '\r', '\n', '😀', 'é'),
          maxLength: 60,
        }),
      )
      .filter((u) => u.isWellFormed() && !u.includes('\0') && codePoints(u) <= 255)
    const urls = fc.oneof(
      fc.constantFrom('/locked/', '/locked/?next=/home', 'https://example.com/l?a=1&', '/l?'),
      fc.webUrl({ withQueryParameters: true }).filter((u) => !u.includes('#')),
      fc.string({ unit: 'binary', maxLength: 30 }).filter((u) => noControl(u) && !u.includes('#')),
    )
    await fc.assert(
      fc.asyncProperty(wellFormed, urls, async (username, lockoutUrl) => {
        const axes = createAxes({ logger: false, failureLimit: 1, lockoutUrl })
        const req = raw({ body: { username } })
        const decision = await axes.loginFailed(req)
        const response = await axes.lockoutResponse(req, decision)
        const location = response.headers.location ?? ''
        const query = location.slice(location.indexOf('?') + 1)
        return (
          response.status === 302 &&
          location.startsWith(lockoutUrl) &&
          new URLSearchParams(query).getAll('username').at(-1) === username
        )
      }),
      { numRuns: RUNS },
    )
  })

  it('with a fragment in lockoutUrl, the username goes before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ unit: 'binary', maxLength: 20 })
          .filter((u) => u.isWellFormed() && !u.includes('\0')),
        fc.string({ unit: 'grapheme-ascii', maxLength: 10 }).filter((f) => noControl(`x${f}`)),
        async (username, fragment) => {
          const lockoutUrl = `/locked/#${fragment}`
          const axes = createAxes({ logger: false, failureLimit: 1, lockoutUrl })
          const req = raw({ body: { username } })
          const response = await axes.lockoutResponse(req, await axes.loginFailed(req))
          const location = response.headers.location ?? ''
          expect(location.startsWith('/locked/?username=')).toBe(true)
          expect(location.endsWith(`#${fragment}`)).toBe(true)
          const query = location.slice('/locked/?'.length, location.length - fragment.length - 1)
          expect(new URLSearchParams(query).get('username')).toBe(
            codePoints(username) > 255 ? [...username].slice(0, 255).join('') : username,
          )
        },
      ),
      { numRuns: propertyRuns(2_000) },
    )
  })
})
