/**
 * The lockout response (django-axes' get_lockout_response, reference §4): plain message, XHR and
 * JSON, template, redirect, the application's callable, Retry-After, and node-axes' 503.
 */
import { describe, expect, it } from 'vitest'
import {
  corsHeaders,
  isXhr,
  lockoutContext,
  lockoutMessage,
  lockoutRedirectUrl,
  MALFORMED_CREDENTIALS_MESSAGE,
  quotePlus as quotePlusModule,
  retryAfterSeconds,
  STORE_ERROR_MESSAGE,
  UNREAD_BODY_MESSAGE,
  wantsJson,
} from '../../src/core/lockout-response.js'
import {
  AxesCallableError,
  type AxesHandler,
  type AxesOptions,
  type AxesRequest,
  DEFAULT_COOLOFF_MESSAGE,
  DEFAULT_PERMALOCK_MESSAGE,
  type LockoutDecision,
  quotePlus,
} from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const T0 = Date.UTC(2026, 0, 1)

function request(overrides: Partial<AxesRequest> = {}): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: {},
    socketAddress: '10.0.0.1',
    body: { username: 'bob', password: 'wrong' },
    ...overrides,
  }
}

const XHR = { 'x-requested-with': 'XMLHttpRequest' }

/** Locks the client of `req` out (failureLimit failures) and answers with the lockout response. */
async function lockedResponse(
  options: AxesOptions,
  req: AxesRequest = request(),
  at: { now: number } = { now: T0 },
) {
  const axes = createAxes({
    logger: false,
    failureLimit: 2,
    cooloffTime: null,
    lockoutParameters: ['ip_address'],
    clock: () => at.now,
    ...options,
  })
  let decision: LockoutDecision | undefined
  for (let i = 0; i < 10 && !decision?.lockedOut; i++) decision = await axes.loginFailed(req)
  if (!decision?.lockedOut) throw new Error('not locked out')
  return { axes, decision, response: await axes.lockoutResponse(req, decision) }
}

describe('default: the plain message', () => {
  it('is the permalock message with status 429 without a cool-off', async () => {
    const { response } = await lockedResponse({})
    expect(response.status).toBe(429)
    expect(response.body).toBe(DEFAULT_PERMALOCK_MESSAGE)
    expect(response.body).toContain('Account locked: too many login attempts.')
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.headers['retry-after']).toBeUndefined()
  })

  it('is the cool-off message with a cool-off', async () => {
    const { response } = await lockedResponse({ cooloffTime: 1 })
    expect(response.body).toBe(DEFAULT_COOLOFF_MESSAGE)
  })

  it('is the cool-off message with lockout tiers and no cooloffTime', async () => {
    const { response } = await lockedResponse({ lockoutTiers: [{ failures: 2, cooloff: '5m' }] })
    expect(response.body).toBe(DEFAULT_COOLOFF_MESSAGE)
  })

  it('uses the configured status and messages', async () => {
    const permalock = await lockedResponse({ httpResponseCode: 403, permalockMessage: 'Call us.' })
    expect(permalock.response.status).toBe(403)
    expect(permalock.response.body).toBe('Call us.')
    const cooloff = await lockedResponse({ cooloffTime: '1h', cooloffMessage: 'Wait.' })
    expect(cooloff.response.body).toBe('Wait.')
  })

  it('a blacklisted client gets the permalock message, even with a cool-off', async () => {
    const axes = createAxes({ logger: false, ipBlacklist: ['10.0.0.1'], cooloffTime: 1 })
    const decision = await axes.isAllowed(request())
    const response = await axes.lockoutResponse(request(), decision)
    expect(response.status).toBe(429)
    expect(response.body).toBe(DEFAULT_PERMALOCK_MESSAGE)
  })

  it('too many attempts in flight get the cool-off message', async () => {
    const axes = createAxes({ logger: false, failureLimit: 1 })
    const first = await axes.reserve(request())
    expect(first.decision.allowed).toBe(true)
    const second = await axes.reserve(request())
    expect(second.decision.reason).toBe('tooManyInFlight')
    const response = await axes.lockoutResponse(request(), second.decision)
    expect(response.status).toBe(429)
    expect(response.body).toBe(DEFAULT_COOLOFF_MESSAGE)
    await first.release()
  })
})

describe('JSON', () => {
  it("answers an XHR with django-axes' context and the three CORS headers", async () => {
    const { response } = await lockedResponse({}, request({ headers: XHR }))
    expect(response.status).toBe(429)
    expect(response.headers['content-type']).toBe('application/json')
    expect(JSON.parse(response.body)).toEqual({
      failure_limit: 2,
      failure_count: 2,
      username: 'bob',
    })
    expect(response.headers['access-control-allow-origin']).toBe('*')
    expect(response.headers['access-control-allow-methods']).toBe('POST, OPTIONS')
    expect(response.headers['access-control-allow-headers']).toBe(
      'Origin, Content-Type, Accept, Authorization, x-requested-with',
    )
  })

  it('adds cooloff_time (ISO 8601) and cooloff_timedelta (Django form) with a cool-off', async () => {
    const { response } = await lockedResponse({ cooloffTime: 1 }, request({ headers: XHR }))
    const body = JSON.parse(response.body)
    expect(body.cooloff_time).toBe('PT1H')
    expect(body.cooloff_timedelta).toBe('P0DT01H00M00S')
    expect(Object.keys(body)).toEqual([
      'failure_limit',
      'failure_count',
      'username',
      'cooloff_time',
      'cooloff_timedelta',
    ])
    const quarter = await lockedResponse({ cooloffTime: 0.25 }, request({ headers: XHR }))
    expect(JSON.parse(quarter.response.body).cooloff_time).toBe('PT15M')
    expect(JSON.parse(quarter.response.body).cooloff_timedelta).toBe('P0DT00H15M00S')
  })

  it('uses allowedCorsOrigins and the configured status', async () => {
    const { response } = await lockedResponse(
      { allowedCorsOrigins: 'https://app.example', httpResponseCode: 403 },
      request({ headers: XHR }),
    )
    expect(response.status).toBe(403)
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example')
  })

  describe('allowedCorsOrigins as a list', () => {
    const ORIGINS = ['https://app.example', 'https://admin.example:8443']

    it('answers an XHR from a listed origin with that origin, and Vary: Origin', async () => {
      const { response } = await lockedResponse(
        { allowedCorsOrigins: ORIGINS },
        request({ headers: { ...XHR, origin: 'https://admin.example:8443' } }),
      )
      expect(response.status).toBe(429)
      expect(response.headers['access-control-allow-origin']).toBe('https://admin.example:8443')
      expect(response.headers.vary).toBe('Origin')
      expect(response.headers['access-control-allow-methods']).toBe('POST, OPTIONS')
      expect(response.headers['access-control-allow-headers']).toBe(
        'Origin, Content-Type, Accept, Authorization, x-requested-with',
      )
      expect(JSON.parse(response.body)).toMatchObject({ username: 'bob', failure_limit: 2 })
    })

    it('matches the scheme and host whatever their case, as browsers send them lowercased', async () => {
      const { response } = await lockedResponse(
        { allowedCorsOrigins: ['HTTPS://App.Example'] },
        request({ headers: { ...XHR, origin: 'https://app.example' } }),
      )
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example')
    })

    it('grants nothing to a foreign origin, to a look-alike, or without Origin (Vary: Origin still)', async () => {
      for (const origin of [
        'https://evil.example',
        'https://app.example.evil.example',
        'http://app.example',
        'https://app.example:444',
        'null',
        '*',
        'https://app.example, https://evil.example',
        undefined,
      ]) {
        const headers: Record<string, string> = { ...XHR }
        if (origin !== undefined) headers.origin = origin
        const { response } = await lockedResponse(
          { allowedCorsOrigins: ORIGINS },
          request({ headers }),
        )
        expect(response.status, String(origin)).toBe(429)
        expect(response.headers['access-control-allow-origin'], String(origin)).toBeUndefined()
        expect(response.headers['access-control-allow-methods'], String(origin)).toBeUndefined()
        expect(response.headers['access-control-allow-headers'], String(origin)).toBeUndefined()
        expect(response.headers.vary, String(origin)).toBe('Origin')
        expect(JSON.parse(response.body).username).toBe('bob')
      }
    })

    it('adds no CORS header and no Vary to a response that is not an XHR', async () => {
      const { response } = await lockedResponse(
        { allowedCorsOrigins: ORIGINS },
        request({ headers: { accept: 'application/json', origin: 'https://app.example' } }),
      )
      expect(response.headers['access-control-allow-origin']).toBeUndefined()
      expect(response.headers.vary).toBeUndefined()
    })

    it('the string form is sent as it is, with no Vary, as django-axes sends it', async () => {
      const { response } = await lockedResponse(
        { allowedCorsOrigins: 'https://app.example' },
        request({ headers: { ...XHR, origin: 'https://evil.example' } }),
      )
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example')
      expect(response.headers.vary).toBeUndefined()
    })
  })

  it('the username is empty, not null, when there is none', async () => {
    const { response } = await lockedResponse({}, request({ headers: XHR, body: {} }))
    expect(JSON.parse(response.body).username).toBe('')
  })

  it('answers Accept: application/json with JSON but without CORS headers', async () => {
    const { response } = await lockedResponse(
      { cooloffTime: 1 },
      request({ headers: { accept: 'application/json' } }),
    )
    expect(response.headers['content-type']).toBe('application/json')
    expect(JSON.parse(response.body).cooloff_time).toBe('PT1H')
    expect(response.headers['access-control-allow-origin']).toBeUndefined()
    expect(response.headers['access-control-allow-methods']).toBeUndefined()
  })

  it('only X-Requested-With: XMLHttpRequest exactly counts as XHR', async () => {
    const { response } = await lockedResponse(
      {},
      request({ headers: { 'x-requested-with': 'fetch' } }),
    )
    expect(response.body).toBe(DEFAULT_PERMALOCK_MESSAGE)
  })

  it('JSON wins over the template and the URL', async () => {
    const { response } = await lockedResponse(
      { lockoutTemplate: () => '<p>locked</p>', lockoutUrl: '/locked/' },
      request({ headers: XHR }),
    )
    expect(response.headers['content-type']).toBe('application/json')
    expect(response.headers.location).toBeUndefined()
  })
})

describe('lockoutTemplate', () => {
  it('renders HTML from the context with the configured status', async () => {
    const seen: unknown[] = []
    const { response } = await lockedResponse({
      httpResponseCode: 403,
      cooloffTime: 1,
      lockoutTemplate: (context, req) => {
        seen.push(context, req.path)
        return `<p>${context.username} locked after ${context.failure_count}</p>`
      },
    })
    expect(response.status).toBe(403)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.body).toBe('<p>bob locked after 2</p>')
    expect(seen).toEqual([
      {
        failure_limit: 2,
        failure_count: 2,
        username: 'bob',
        cooloff_time: 'PT1H',
        cooloff_timedelta: 'P0DT01H00M00S',
      },
      '/login',
    ])
  })

  it('wins over lockoutUrl (django-axes: the template wins if both are set)', async () => {
    const { response } = await lockedResponse({
      lockoutTemplate: () => 'html',
      lockoutUrl: '/locked/',
    })
    expect(response.body).toBe('html')
    expect(response.headers.location).toBeUndefined()
  })

  it('a template that throws or returns no string is an AxesCallableError', async () => {
    for (const lockoutTemplate of [
      () => {
        throw new Error('no template')
      },
      () => 5 as never,
    ]) {
      const error = await lockedResponse({ lockoutTemplate }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AxesCallableError)
      expect((error as AxesCallableError).option).toBe('lockoutTemplate')
    }
  })

  it('the errors say what went wrong: the thrown message, or that it must return a string', async () => {
    const thrown = await lockedResponse({
      lockoutTemplate: () => {
        throw new Error('no template')
      },
    }).catch((e: unknown) => e)
    expect((thrown as Error).message).toBe(
      '[node-axes] the function given as lockoutTemplate failed: no template',
    )
    const wrong = await lockedResponse({ lockoutTemplate: () => 5 as never }).catch(
      (e: unknown) => e,
    )
    expect((wrong as Error).message).toBe(
      '[node-axes] the function given as lockoutTemplate failed: it must return a string',
    )
  })
})

describe('lockoutUrl', () => {
  it('redirects with 302 and ?username=, whatever the configured status', async () => {
    const { response } = await lockedResponse({ lockoutUrl: '/locked/', httpResponseCode: 403 })
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('/locked/?username=bob')
    expect(response.body).toBe('')
  })

  it.each([
    ['john doe', 'john+doe'],
    ["a!'()*b", 'a%21%27%28%29%2Ab'],
    ['a\r\nb', 'a%0D%0Ab'],
    ['say "hi"', 'say+%22hi%22'],
    ['é', '%C3%A9'],
    ['😀', '%F0%9F%98%80'],
    ['~-._', '~-._'],
    ['a+b&c=d/e?f#g%h', 'a%2Bb%26c%3Dd%2Fe%3Ff%23g%25h'],
    ['<script>', '%3Cscript%3E'],
  ])("encodes %j as Python's quote_plus: %s", async (username, encoded) => {
    expect(quotePlus(username)).toBe(encoded)
    const { response } = await lockedResponse(
      { lockoutUrl: '/locked/' },
      request({ body: { username } }),
    )
    expect(response.headers.location).toBe(`/locked/?username=${encoded}`)
    expect(new URL(response.headers.location ?? '', 'http://x').searchParams.get('username')).toBe(
      username,
    )
  })

  it('writes an empty username as username= (urlencode of "")', async () => {
    const { response } = await lockedResponse({ lockoutUrl: '/locked/' }, request({ body: {} }))
    expect(response.headers.location).toBe('/locked/?username=')
  })

  it("appends with '&' when the URL already has a query, before any fragment", () => {
    expect(lockoutRedirectUrl('/locked/?next=/home', 'bob')).toBe(
      '/locked/?next=/home&username=bob',
    )
    expect(lockoutRedirectUrl('/locked/?', 'bob')).toBe('/locked/?username=bob')
    expect(lockoutRedirectUrl('/l?next=why?', 'bob')).toBe('/l?next=why?&username=bob')
    expect(lockoutRedirectUrl('/locked/?a=1&', 'bob')).toBe('/locked/?a=1&username=bob')
    expect(lockoutRedirectUrl('/locked/#top', 'bob')).toBe('/locked/?username=bob#top')
    expect(lockoutRedirectUrl('https://example.com/l?x=1#f', 'a b')).toBe(
      'https://example.com/l?x=1&username=a+b#f',
    )
  })

  it('the exported quotePlus is the one the redirect uses', () => {
    expect(quotePlus).toBe(quotePlusModule)
  })
})

describe('lockoutCallable', () => {
  it('wins over every other form and gets the decision, masked credentials and context', async () => {
    const seen: unknown[] = []
    const axes = createAxes({
      logger: false,
      failureLimit: 1,
      lockoutUrl: '/locked/',
      lockoutTemplate: () => 'html',
      enableRetryAfterHeader: true,
      cooloffTime: 1,
      clock: () => T0,
      lockoutCallable: async (req, details) => {
        seen.push(req.path, details)
        return { status: 400, headers: { 'x-custom': '1' }, body: 'custom' }
      },
    })
    const req = request({ headers: XHR })
    const decision = await axes.loginFailed(req)
    const original = { status: 200 }
    const response = await axes.lockoutResponse(
      req,
      decision,
      { username: 'bob', password: 'wrong' },
      original,
    )
    expect(response).toEqual({ status: 400, headers: { 'x-custom': '1' }, body: 'custom' })
    expect(response.headers['retry-after']).toBeUndefined()
    const details = seen[1] as Record<string, unknown>
    expect(seen[0]).toBe('/login')
    expect(details.decision).toBe(decision)
    expect(details.credentials).toEqual({
      username: '********************',
      password: '********************',
    })
    expect(details.context).toEqual({
      failure_limit: 1,
      failure_count: 1,
      username: 'bob',
      cooloff_time: 'PT1H',
      cooloff_timedelta: 'P0DT01H00M00S',
    })
    expect(details.originalResponse).toBe(original)
  })

  it.each([
    null,
    'locked',
    { status: 429 },
    { status: 429, headers: {}, body: 5 },
    { status: '429', headers: {}, body: '' },
    { status: 429, headers: null, body: '' },
  ])('refuses a callable result of %j with an AxesCallableError', async (result) => {
    const error = await lockedResponse({ lockoutCallable: () => result as never }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(AxesCallableError)
    expect((error as AxesCallableError).option).toBe('lockoutCallable')
    expect((error as Error).message).toBe(
      '[node-axes] the function given as lockoutCallable failed: it must return { status, headers, body } (body a string)',
    )
  })

  it('a throwing callable is called once and becomes an AxesCallableError', async () => {
    let calls = 0
    const error = await lockedResponse({
      lockoutCallable: () => {
        calls += 1
        throw new TypeError('inside')
      },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AxesCallableError)
    expect((error as Error).message).toBe(
      '[node-axes] the function given as lockoutCallable failed: inside',
    )
    expect((error as Error).cause).toBeInstanceOf(TypeError)
    // django-axes retries a TypeError with the legacy arguments, calling it twice (§10 #11)
    expect(calls).toBe(1)
  })
})

describe('Retry-After', () => {
  it('is the cool-off in whole seconds with enableRetryAfterHeader and a cool-off', async () => {
    const { response } = await lockedResponse({ enableRetryAfterHeader: true, cooloffTime: '90s' })
    expect(response.headers['retry-after']).toBe('90')
    const two = await lockedResponse({ enableRetryAfterHeader: true, cooloffTime: { minutes: 2 } })
    expect(two.response.headers['retry-after']).toBe('120')
  })

  it('is the time left on the lock, rounded up to whole seconds', async () => {
    const at = { now: T0 }
    const { axes, decision: first } = await lockedResponse(
      { enableRetryAfterHeader: true, cooloffTime: '90s' },
      request(),
      at,
    )
    expect(first.retryAfterMs).toBe(90_000)
    at.now = T0 + 30_500
    const decision = await axes.isAllowed(request())
    expect(decision.allowed).toBe(false)
    const response = await axes.lockoutResponse(request(), decision)
    expect(response.headers['retry-after']).toBe('60')
    expect(response.headers['retry-after']).toMatch(/^\d+$/)
  })

  it('is the time to the later lift when two buckets are locked until different times', async () => {
    // alice's username bucket reaches the hour-long tier (5 failures from two IPs); the bucket of
    // her username with the second IP only the minute-long one (3). Both orders of the items.
    for (const lockoutParameters of [
      ['username', ['username', 'ip_address']],
      [['username', 'ip_address'], 'username'],
    ] as AxesOptions['lockoutParameters'][]) {
      const axes = createAxes({
        logger: false,
        lockoutParameters,
        lockoutTiers: [
          { failures: 3, cooloff: '1m' },
          { failures: 5, cooloff: '1h' },
        ],
        resetCoolOffOnFailureDuringLockout: true,
        enableRetryAfterHeader: true,
        clock: () => T0,
      })
      const from = (socketAddress: string) =>
        request({ socketAddress, body: { username: 'alice', password: 'wrong' } })
      for (let i = 0; i < 2; i++) await axes.loginFailed(from('10.0.0.1'))
      for (let i = 0; i < 3; i++) await axes.loginFailed(from('10.0.0.2'))
      const decision = await axes.isAllowed(from('10.0.0.2'))
      expect(decision.allowed).toBe(false)
      expect(decision.lockedUntil).toEqual(new Date(T0 + 3_600_000))
      expect(decision.retryAfterMs).toBe(3_600_000)
      const response = await axes.lockoutResponse(from('10.0.0.2'), decision)
      expect(response.headers['retry-after']).toBe('3600')
    }
  })

  it('is absent when disabled (the default)', async () => {
    const { response } = await lockedResponse({ cooloffTime: '90s' })
    expect(response.headers['retry-after']).toBeUndefined()
  })

  it('is absent without a cool-off (a lock until reset)', async () => {
    const { response } = await lockedResponse({ enableRetryAfterHeader: true })
    expect(response.headers['retry-after']).toBeUndefined()
  })

  it('is present on the redirect and on JSON', async () => {
    const redirect = await lockedResponse({
      enableRetryAfterHeader: true,
      cooloffTime: '2m',
      lockoutUrl: '/locked/',
    })
    expect(redirect.response.status).toBe(302)
    expect(redirect.response.headers['retry-after']).toBe('120')
    const json = await lockedResponse(
      { enableRetryAfterHeader: true, cooloffTime: '2m' },
      request({ headers: XHR }),
    )
    expect(json.response.headers['retry-after']).toBe('120')
  })

  it('is absent with a lockoutCallable', async () => {
    const { response } = await lockedResponse({
      enableRetryAfterHeader: true,
      cooloffTime: '2m',
      lockoutCallable: () => ({ status: 429, headers: {}, body: '' }),
    })
    expect(response.headers['retry-after']).toBeUndefined()
  })

  it('follows the tier reached', async () => {
    const { response } = await lockedResponse(
      { enableRetryAfterHeader: true, lockoutTiers: [{ failures: 2, cooloff: '5m' }] },
      request({ headers: XHR }),
    )
    expect(response.headers['retry-after']).toBe('300')
    expect(JSON.parse(response.body).cooloff_time).toBe('PT5M')
  })
})

describe('store errors', () => {
  const broken = (): AxesHandler => {
    const fail = () => Promise.reject(new Error('connection refused'))
    return {
      name: 'broken',
      shared: true,
      kind: 'custom',
      getFailures: fail,
      reserve: fail,
      settle: fail,
      recordFailure: fail,
      loggedIn: fail,
      loggedOut: fail,
      resetBuckets: fail,
      resetAttempts: fail,
      resetLogs: fail,
      resetFailureLogs: fail,
    }
  }

  it('answer 503 with failClosed (the default), as text or JSON', async () => {
    const axes = createAxes({ logger: false, handler: broken(), cooloffTime: 1 })
    const decision = await axes.isAllowed(request())
    expect(decision.allowed).toBe(false)
    expect(decision.reason).toBe('storeError')
    const text = await axes.lockoutResponse(request(), decision)
    expect(text.status).toBe(503)
    expect(text.body).toMatch(/temporarily unavailable/)
    expect(text.headers['retry-after']).toBeUndefined()
    const json = await axes.lockoutResponse(request({ headers: XHR }), decision)
    expect(json.status).toBe(503)
    expect(JSON.parse(json.body).error).toMatch(/temporarily unavailable/)
  })

  it('answer 503 even with a lockoutCallable, which is for lockouts', async () => {
    let called = false
    const axes = createAxes({
      logger: false,
      handler: broken(),
      lockoutCallable: () => {
        called = true
        return { status: 429, headers: {}, body: '' }
      },
    })
    const response = await axes.lockoutResponse(request(), await axes.isAllowed(request()))
    expect(response.status).toBe(503)
    expect(called).toBe(false)
  })

  it('are never cached, and say what they are: text, or JSON to a JSON client', async () => {
    const axes = createAxes({ logger: false, handler: broken() })
    const decision = await axes.isAllowed(request())
    const text = await axes.lockoutResponse(request(), decision)
    expect(text).toEqual({
      status: 503,
      headers: { 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' },
      body: STORE_ERROR_MESSAGE,
    })
    for (const headers of [XHR, { accept: 'application/json' }]) {
      const json = await axes.lockoutResponse(request({ headers }), decision)
      expect(json).toEqual({
        status: 503,
        headers: { 'cache-control': 'no-store', 'content-type': 'application/json' },
        body: JSON.stringify({ error: STORE_ERROR_MESSAGE }),
      })
    }
  })

  it('let the login through with failOpen', async () => {
    const axes = createAxes({ logger: false, handler: broken(), onStoreError: 'failOpen' })
    const decision = await axes.isAllowed(request())
    expect(decision.allowed).toBe(true)
    expect(decision.reason).toBe('storeError')
  })
})

describe('malformed and unread logins: 400, whatever the lockout options', () => {
  // Every lockout form is configured: a 400 is no lockout, so none of them may answer it.
  const options: AxesOptions = {
    logger: false,
    lockoutUrl: '/locked/',
    lockoutTemplate: () => '<p>locked</p>',
    lockoutCallable: () => ({ status: 429, headers: {}, body: 'custom' }),
    enableRetryAfterHeader: true,
    cooloffTime: 1,
  }
  const cases = [
    [
      'a repeated username',
      { body: { username: ['a', 'b'], password: 'x' } },
      MALFORMED_CREDENTIALS_MESSAGE,
    ],
    ['a body nothing parsed', { body: undefined, bodyUnread: true }, UNREAD_BODY_MESSAGE],
  ] as const

  it.each(cases)('%s is answered as plain text, never cached', async (_name, fields, message) => {
    const axes = createAxes(options)
    const req = request(fields)
    const decision = await axes.isAllowed(req)
    expect(await axes.lockoutResponse(req, decision)).toEqual({
      status: 400,
      headers: { 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' },
      body: message,
    })
  })

  it.each(cases)('%s is answered as JSON { error } to an XHR', async (_name, fields, message) => {
    const axes = createAxes(options)
    const req = request({ ...fields, headers: XHR })
    const decision = await axes.isAllowed(req)
    expect(await axes.lockoutResponse(req, decision)).toEqual({
      status: 400,
      headers: { 'cache-control': 'no-store', 'content-type': 'application/json' },
      body: JSON.stringify({ error: message }),
    })
  })

  it('the messages tell the client what to send', () => {
    expect(MALFORMED_CREDENTIALS_MESSAGE).toBe('Malformed login: send each field once, as text.')
    expect(UNREAD_BODY_MESSAGE).toBe(
      'Login not read: send it as a form (application/x-www-form-urlencoded) or as JSON.',
    )
    expect(STORE_ERROR_MESSAGE).toMatch(/^Login is temporarily unavailable/)
  })
})

describe('the pieces of the response, one by one', () => {
  const decision = (overrides: Partial<LockoutDecision> = {}): LockoutDecision => ({
    allowed: false,
    reason: 'lockedOut',
    lockedOut: true,
    failures: 3,
    failureLimit: 3,
    remaining: 0,
    cooloffMs: 90_000,
    retryAfterMs: 90_000,
    lockedUntil: new Date(T0 + 90_000),
    tier: null,
    recorded: true,
    client: {
      ipAddress: '10.0.0.1',
      username: 'bob',
      userAgent: '',
      pathInfo: '/login',
      httpAccept: '*/*',
    },
    ...overrides,
  })

  it('lockoutContext: the cool-off only when there is one, the username empty when none', () => {
    expect(lockoutContext(decision())).toEqual({
      failure_limit: 3,
      failure_count: 3,
      username: 'bob',
      cooloff_time: 'PT1M30S',
      cooloff_timedelta: 'P0DT00H01M30S',
    })
    for (const cooloffMs of [0, null]) {
      expect(lockoutContext(decision({ cooloffMs }))).toEqual({
        failure_limit: 3,
        failure_count: 3,
        username: 'bob',
      })
    }
    const anonymous = decision()
    anonymous.client.username = null
    expect(lockoutContext(anonymous).username).toBe('')
  })

  it('wantsJson: an XHR, or an Accept naming JSON in any case or as a +json type', () => {
    const with_ = (headers: Record<string, string | string[]>) => request({ headers })
    expect(wantsJson(with_(XHR))).toBe(true)
    expect(wantsJson(with_({ accept: 'APPLICATION/JSON' }))).toBe(true)
    expect(wantsJson(with_({ accept: 'application/problem+json' }))).toBe(true)
    expect(wantsJson(with_({ accept: ['text/html, application/json'] }))).toBe(true)
    expect(wantsJson(with_({ accept: 'text/html' }))).toBe(false)
    expect(wantsJson(with_({ accept: 'application/jsonp' }))).toBe(true)
    expect(wantsJson(with_({}))).toBe(false)
    expect(isXhr(with_({ 'x-requested-with': 'xmlhttprequest' }))).toBe(false)
    expect(isXhr(with_({ 'x-requested-with': 'XMLHttpRequest' }))).toBe(true)
  })

  it("quotePlus encodes what encodeURIComponent leaves: ! ' ( ) *", () => {
    expect(quotePlusModule("a!b'c(d)e*f g~h_i.j-k")).toBe('a%21b%27c%28d%29e%2Af+g~h_i.j-k')
  })

  it('corsHeaders: a string as it is; a list grants a listed Origin, in any case, and varies on it', () => {
    const methods = {
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers':
        'Origin, Content-Type, Accept, Authorization, x-requested-with',
    }
    expect(corsHeaders('*', request())).toEqual({
      'access-control-allow-origin': '*',
      ...methods,
    })
    const list = ['https://A.example']
    expect(corsHeaders(list, request({ headers: { origin: 'https://a.EXAMPLE' } }))).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': 'https://a.EXAMPLE',
      ...methods,
    })
    expect(corsHeaders(list, request({ headers: { origin: 'https://b.example' } }))).toEqual({
      vary: 'Origin',
    })
    expect(corsHeaders(list, request())).toEqual({ vary: 'Origin' })
  })

  it('lockoutMessage: the message of each reason', () => {
    const options = { cooloffMessage: 'cool', permalockMessage: 'perma' } as never
    expect(lockoutMessage(options, decision({ reason: 'storeError' }))).toBe(STORE_ERROR_MESSAGE)
    expect(lockoutMessage(options, decision({ reason: 'malformedCredentials' }))).toBe(
      MALFORMED_CREDENTIALS_MESSAGE,
    )
    expect(lockoutMessage(options, decision({ reason: 'blacklisted' }))).toBe('perma')
    expect(lockoutMessage(options, decision({ reason: 'tooManyInFlight', cooloffMs: null }))).toBe(
      'cool',
    )
    expect(lockoutMessage(options, decision())).toBe('cool')
    expect(lockoutMessage(options, decision({ cooloffMs: null }))).toBe('perma')
  })

  it('retryAfterSeconds: rounded up, at least 1, none for a lock until reset', () => {
    expect(retryAfterSeconds(decision({ retryAfterMs: 1 }))).toBe(1)
    expect(retryAfterSeconds(decision({ retryAfterMs: 0 }))).toBe(1)
    expect(retryAfterSeconds(decision({ retryAfterMs: 1_001 }))).toBe(2)
    expect(retryAfterSeconds(decision({ retryAfterMs: 2_000 }))).toBe(2)
    expect(retryAfterSeconds(decision({ retryAfterMs: null }))).toBeNull()
  })
})
