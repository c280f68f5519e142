/**
 * The runtime checks the engine reports as it sees requests (django-axes' system checks W002 and
 * W003 become observations here, since Node has no settings to inspect): each appears in
 * `axes.check()` when its condition happens and not otherwise, is logged once, and
 * `silencedChecks` hides it.
 */

import { describe, expect, it } from 'vitest'
import type { AxesLogger, AxesOptions, AxesRequest } from '../../src/index.js'
import { createAxes } from '../support/axes.js'

const RUNTIME = ['axes.W002', 'axes.W003', 'axes.W009', 'axes.W012']

function makeRequest(overrides: Partial<AxesRequest> = {}): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: { 'user-agent': 'test' },
    socketAddress: '10.1.1.1',
    body: { username: 'alice', password: 'x' },
    ...overrides,
  }
}

const creds = { username: 'alice', password: 'wrong' }

function setup(options: AxesOptions = {}) {
  const warnings: string[] = []
  const logger: AxesLogger = { info: () => {}, warn: (r) => warnings.push(r.msg), error: () => {} }
  const axes = createAxes({ logger, unknownClientIp: 'shareBucket', ...options })
  const runtime = () =>
    axes
      .check()
      .map((c) => c.id)
      .filter((id) => RUNTIME.includes(id))
      .sort()
  return { axes, warnings, runtime }
}

describe('axes.W002: a login handled without the adapter middleware', () => {
  it('appears when reserve, protect or loginFailed see a request no middleware attached', async () => {
    for (const call of [
      (a: ReturnType<typeof createAxes>) => a.reserve(makeRequest(), creds),
      (a: ReturnType<typeof createAxes>) => a.protect(makeRequest(), creds, () => null),
      (a: ReturnType<typeof createAxes>) => a.loginFailed(makeRequest(), creds),
    ]) {
      const { axes, runtime } = setup()
      expect(runtime()).toEqual([])
      await call(axes)
      expect(runtime()).toContain('axes.W002')
    }
  })

  it('does not appear for a request the middleware attached, nor for isAllowed alone', async () => {
    const { axes, runtime } = setup()
    const request = makeRequest()
    axes.attach(request)
    await axes.protect(request, creds, () => null)
    await axes.isAllowed(makeRequest(), creds)
    expect(runtime()).toEqual([])
  })

  it('reports the check with its message and hint, logged once however often it happens', async () => {
    const { axes, warnings } = setup()
    for (let i = 0; i < 5; i++) await axes.reserve(makeRequest(), creds)
    const w002 = axes.check().find((c) => c.id === 'axes.W002')
    expect(w002).toMatchObject({ id: 'axes.W002', level: 'warning' })
    expect(w002?.message).toMatch(/no adapter's middleware has seen/)
    expect(warnings.filter((w) => w.startsWith('axes.W002: '))).toHaveLength(1)
  })
})

describe('axes.W003: a failure recorded for a request never checked', () => {
  it('appears when loginFailed records a request that isAllowed or reserve never saw', async () => {
    const { axes, runtime } = setup()
    const request = makeRequest()
    axes.attach(request)
    await axes.loginFailed(request, creds)
    expect(runtime()).toEqual(['axes.W003'])
  })

  it('does not appear when the request was checked first', async () => {
    for (const first of ['isAllowed', 'reserve'] as const) {
      const { axes, runtime } = setup()
      const request = makeRequest()
      axes.attach(request)
      if (first === 'isAllowed') await axes.isAllowed(request, creds)
      else await axes.reserve(request, creds)
      await axes.loginFailed(request, creds)
      expect(runtime()).toEqual([])
    }
  })
})

describe('axes.W009: a forwarded-for header while only the socket address is trusted', () => {
  it.each(['x-forwarded-for', 'forwarded', 'x-real-ip'])(
    'appears for a request carrying %s',
    async (header) => {
      const { axes, runtime } = setup()
      const decision = await axes.isAllowed(
        makeRequest({ headers: { 'user-agent': 'test', [header]: '203.0.113.9' } }),
        creds,
      )
      // The header is not trusted: the socket address is still the client.
      expect(decision.client.ipAddress).toBe('10.1.1.1')
      expect(runtime()).toEqual(['axes.W009'])
    },
  )

  it('does not appear without such a header, or when a header is trusted, or with clientIpCallable', async () => {
    const plain = setup()
    await plain.axes.isAllowed(makeRequest(), creds)
    expect(plain.runtime()).toEqual([])
    const forwarded = makeRequest({
      headers: { 'user-agent': 'test', 'x-forwarded-for': '203.0.113.9' },
    })
    const trusted = setup({ ipwareMetaPrecedenceOrder: ['HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR'] })
    const decision = await trusted.axes.isAllowed(forwarded, creds)
    expect(decision.client.ipAddress).toBe('203.0.113.9')
    expect(trusted.runtime()).toEqual([])
    const callable = setup({ clientIpCallable: () => '198.51.100.1' })
    await callable.axes.isAllowed(forwarded, creds)
    expect(callable.runtime()).toEqual([])
  })
})

describe('axes.W012: a request whose client IP cannot be determined', () => {
  it.each([
    ['no socket address', undefined],
    ['a null socket address', null],
    ['an unparseable socket address', 'not-an-ip'],
  ])('appears for %s, and the IP bucket is the null one', async (_, socketAddress) => {
    const { axes, runtime } = setup({ failureLimit: 1 })
    const decision = await axes.loginFailed(makeRequest({ socketAddress }), creds)
    expect(decision.client.ipAddress).toBeNull()
    expect(decision).toMatchObject({ reason: 'lockedOut', failures: 1 })
    expect(runtime()).toContain('axes.W012')
  })

  it('does not appear when the IP is known', async () => {
    const { axes, runtime } = setup()
    await axes.isAllowed(makeRequest(), creds)
    await axes.isAllowed(makeRequest({ socketAddress: '::ffff:10.1.1.2' }), creds)
    expect(runtime()).toEqual([])
  })
})

describe('silencedChecks', () => {
  it('hides every runtime check it names, from check() and from the log', async () => {
    const silenced = setup({ silencedChecks: RUNTIME })
    const loud = setup()
    for (const { axes } of [silenced, loud]) {
      await axes.loginFailed(
        makeRequest({
          socketAddress: null,
          headers: { 'user-agent': 'test', 'x-forwarded-for': '203.0.113.9' },
        }),
        creds,
      )
    }
    expect(loud.runtime()).toEqual(RUNTIME)
    expect(loud.warnings.filter((w) => /^axes\.W0(02|03|09|12): /.test(w))).toHaveLength(4)
    expect(silenced.runtime()).toEqual([])
    expect(silenced.warnings.filter((w) => /^axes\.W0(02|03|09|12): /.test(w))).toEqual([])
  })

  it('hides only the codes it names', async () => {
    const { axes, runtime } = setup({ silencedChecks: ['axes.W002'] })
    await axes.loginFailed(makeRequest({ socketAddress: null }), creds)
    expect(runtime()).toEqual(['axes.W003', 'axes.W012'])
  })
})
