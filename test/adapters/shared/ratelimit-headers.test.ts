// The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11), opt-in with
// `rateLimitHeaders`: every adapter's protectLogin sends the failure limit as the quota and the
// attempts left with each wrong password and with the lockout, beside Retry-After. Real HTTP.

import { serve } from '@hono/node-server'
import { afterEach, describe, expect, it } from 'vitest'
import { protectLogin as webLogin } from '../../../src/adapters/web/index.js'
import { type Axes, createAxes } from '../../../src/index.js'
import { APPS, checker, listenNode } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

const WEB = {
  name: 'node-axes/web, protectLogin',
  start: async (axes: Axes, verify: ReturnType<typeof checker>['verify']) => {
    const login = webLogin(axes, ({ username, password }) => verify(username, password), {
      clientAddress: () => '127.0.0.1',
      onSuccess: () => new Response('in'),
    })
    return listenNode(serve({ fetch: login, port: 0, hostname: '127.0.0.1' }) as never)
  },
}

const LOGINS = [...APPS.filter((app) => app.name.endsWith('protectLogin')), WEB]

const post = (base: string, password: string) =>
  fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password }),
  })

describe.each(LOGINS)('$name', (framework) => {
  let app: StartedApp | null = null
  afterEach(async () => {
    await app?.close()
    app = null
  })

  it('sends RateLimit-Policy and RateLimit with each wrong password and the lockout', async () => {
    const axes = createAxes({
      handler: 'memory',
      failureLimit: 3,
      cooloffTime: '15m',
      rateLimitHeaders: true,
      enableRetryAfterHeader: true,
      logger: false,
    })
    app = await framework.start(axes, checker().verify)
    const first = await post(app.base, 'nope')
    expect(first.status).toBe(401)
    expect(first.headers.get('ratelimit-policy')).toBe('"axes";q=3;w=900')
    expect(first.headers.get('ratelimit')).toBe('"axes";r=2;t=900')
    const second = await post(app.base, 'nope')
    expect(second.headers.get('ratelimit')).toBe('"axes";r=1;t=900')
    const locked = await post(app.base, 'nope')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('ratelimit-policy')).toBe('"axes";q=3;w=900')
    expect(locked.headers.get('ratelimit')).toBe('"axes";r=0;t=900')
    expect(locked.headers.get('retry-after')).toBe('900')
  })

  it('sends none by default', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 1, logger: false })
    app = await framework.start(axes, checker().verify)
    const locked = await post(app.base, 'nope')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('ratelimit')).toBeNull()
    expect(locked.headers.get('ratelimit-policy')).toBeNull()
  })
})
