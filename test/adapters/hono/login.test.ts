import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import {
  type AxesVariables,
  axesMiddleware,
  protectLogin,
  sendLockout,
} from '../../../src/adapters/hono/index.js'
import { createAxes } from '../../../src/index.js'
import {
  type AppSetup,
  browserMultipart,
  eachApp,
  playOwnLoginCode,
  runAdapterScenarios,
  startedServer,
  USER,
} from '../shared/scenarios.js'

/** The login app, as the docs show it. */
function honoApp(setup: Pick<AppSetup, 'axes' | 'verify'>) {
  const app = new Hono<{ Variables: AxesVariables }>()
  // The application varies on Accept-Language already (as i18n middleware does): a lockout's
  // `Vary: Origin` must add to it, not replace it.
  app.use(async (c, next) => {
    c.header('Vary', 'Accept-Language')
    await next()
  })
  app.post(
    '/login',
    protectLogin(setup.axes, (credentials) => setup.verify(credentials)),
    (c) => {
      const login = c.get('axesLogin')
      return c.text(`welcome ${login.ok ? String(login.user) : ''}`)
    },
  )
  return app
}

function listen(app: Hono<{ Variables: AxesVariables }>) {
  return startedServer(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
}

runAdapterScenarios({
  name: 'hono 4',
  hasViews: false,
  hasTrustProxy: false,
  start: async (setup) => listen(honoApp(setup)),
})

describe('hono 4: the per-request API', () => {
  const apps = eachApp()

  it("gives login code of its own c.get('axes'), and sendLockout renders refusals", async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
    const app = new Hono<{ Variables: AxesVariables }>()
    app.use(axesMiddleware(axes))
    app.post('/login', async (c) => {
      const body = (await c.req.parseBody()) as Record<string, string>
      const reservation = await c.get('axes').reserve(body)
      if (!reservation.decision.allowed) return sendLockout(c, reservation.decision)
      if (body.password === USER.password) {
        await reservation.succeeded(body.username)
        return c.text('in')
      }
      const after = await reservation.failed()
      if (!after.allowed) return sendLockout(c, after)
      return c.text(`${after.remaining} left`, 401)
    })
    const started = apps.use(await listen(app))
    await playOwnLoginCode(started.base, axes)
  })

  it('keeps the body it read for the next handler', async () => {
    const axes = createAxes({
      handler: 'memory',
      logger: false,
      // app.request() gives no peer address (test/adapters/hono/unknown-ip.test.ts).
      unknownClientIp: 'shareBucket',
    })
    const app = new Hono<{ Variables: AxesVariables }>()
    app.post(
      '/login',
      protectLogin(axes, ({ username }) => username),
      async (c) => c.json(await c.req.json()),
    )
    const res = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'p', extra: 1 }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ username: 'alice', password: 'p', extra: 1 })
  })

  it('reads multipart forms, and reports axes.W012 where no peer address is known', async () => {
    const axes = createAxes({
      handler: 'memory',
      logger: false,
      // app.request() gives no peer address (test/adapters/hono/unknown-ip.test.ts).
      unknownClientIp: 'shareBucket',
    })
    const app = new Hono<{ Variables: AxesVariables }>()
    app.post(
      '/login',
      protectLogin(axes, ({ username, password }) => password === 'p' && username),
      (c) => c.text(String(c.get('axesLogin').ok)),
    )
    const form = new FormData()
    form.set('username', 'alice')
    form.set('password', 'p')
    const res = await app.request('/login', { method: 'POST', body: form })
    expect(await res.text()).toBe('true')
    expect(axes.check().map((c) => c.id)).toContain('axes.W012')
  })

  it("reads a browser's multipart form (its boundary is mixed-case)", async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    const app = new Hono<{ Variables: AxesVariables }>()
    app.post(
      '/login',
      protectLogin(axes, ({ username, password }) => password === 'p' && username, {
        socketAddress: () => '198.51.100.7',
      }),
      (c) => c.text(String(c.get('axesLogin').ok)),
    )
    const { type, body } = browserMultipart({ username: 'alice', password: 'p' })
    const res = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('true')
  })
})
