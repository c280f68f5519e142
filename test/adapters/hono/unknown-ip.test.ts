/**
 * Unknown client IPs, through real requests that carry no peer address: Hono's `app.request()`
 * gives none, as serverless and edge runtimes do. Every such client would resolve to "no IP"; if
 * they were counted in one bucket, one attacker would lock all of them out, silently.
 */

import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { type AxesVariables, protectLogin } from '../../../src/adapters/hono/index.js'
import { type AxesOptions, createAxes, fromDjangoSettings } from '../../../src/index.js'

function site(options: AxesOptions) {
  const axes = createAxes({ handler: 'memory', logger: false, ...options })
  const app = new Hono<{ Variables: AxesVariables }>()
  let checked = 0
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => {
      checked++
      return password === `${String(username)}-secret` && username
    }),
    (c) => c.text(c.get('axesLogin').ok ? 'welcome' : 'wrong'),
  )
  app.onError((error, c) => {
    const code = (error as { code?: string }).code ?? 'none'
    return c.text(`${code}: ${error.message}`, 500)
  })
  const login = (username: string, password: string) =>
    app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    })
  return { axes, login, checked: () => checked }
}

describe('a login whose client IP is unknown (no peer address)', () => {
  it('is refused with a clear error by default, before any password is checked or counted', async () => {
    const { axes, login, checked } = site({ lockoutParameters: ['ip_address'] })
    for (let i = 0; i < 10; i++) {
      const res = await login(`junk-${i}`, 'guess')
      expect(res.status).toBe(500)
      expect(await res.text()).toMatch(/^AXES_NO_CLIENT_IP: .*client IP unknown.*axes_no_client_ip/)
    }
    expect(checked()).toBe(0)
    expect(axes.check().map((c) => c.id)).toContain('axes.W012')
    // Nothing was counted: bob is not locked out by the attacker's ten failures.
    expect(await axes.listAttempts()).toEqual([])
  })

  it('is refused under the default parameters too (username and IP), even with failOpen', async () => {
    for (const options of [{}, { onStoreError: 'failOpen' } as const]) {
      const { login, checked } = site(options)
      const res = await login('alice', 'alice-secret')
      expect(res.status).toBe(500)
      expect(await res.text()).toMatch(/^AXES_NO_CLIENT_IP/)
      expect(checked()).toBe(0)
    }
  })

  it("with unknownClientIp: 'shareBucket' shares one bucket, as documented (and as django-axes does)", async () => {
    const { login, axes } = site({
      lockoutParameters: ['ip_address'],
      failureLimit: 3,
      unknownClientIp: 'shareBucket',
    })
    for (let i = 0; i < 3; i++) await login(`junk-${i}`, 'guess')
    // One attacker has locked out everybody without a known IP.
    expect((await login('bob', 'bob-secret')).status).toBe(429)
    expect(axes.check().map((c) => c.id)).toContain('axes.W012')
  })

  it('is not refused when the lockout parameters do not count by IP', async () => {
    const { login } = site({ lockoutParameters: ['username'], silencedChecks: ['axes.W006'] })
    expect(await (await login('alice', 'alice-secret')).text()).toBe('welcome')
  })

  it('keeps django-axes behaviour through fromDjangoSettings', () => {
    expect(fromDjangoSettings({}).unknownClientIp).toBe('shareBucket')
    expect(createAxes({ handler: 'memory', logger: false }).options.unknownClientIp).toBe('refuse')
  })
})
