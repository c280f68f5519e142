import { createHash } from 'node:crypto'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import fastifySession from '@fastify/session'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { axesPlugin, protectLogin, sendLockout } from '../../../src/adapters/fastify/index.js'
import { createAxes, testHandler } from '../../../src/index.js'
import {
  type AppSetup,
  eachApp,
  playOwnLoginCode,
  playSessionLogin,
  runAdapterScenarios,
  type StartedApp,
  USER,
} from '../shared/scenarios.js'

/** The login app, as the docs show it. */
async function fastifyApp(setup: Pick<AppSetup, 'axes' | 'verify' | 'trustProxy'>) {
  const app = Fastify({ trustProxy: setup.trustProxy ? '127.0.0.1' : false })
  await app.register(formbody)
  // The application varies on Accept-Language already (as i18n middleware does): a lockout's
  // `Vary: Origin` must add to it, not replace it.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('vary', 'Accept-Language')
  })
  await app.register(axesPlugin, { axes: setup.axes })
  app.post(
    '/login',
    { preHandler: protectLogin(setup.axes, (credentials) => setup.verify(credentials)) },
    async (request, reply) => {
      const login = request.axesLogin
      return reply.type('text/plain').send(`welcome ${login?.ok ? String(login.user) : ''}`)
    },
  )
  return app
}

async function listen(app: FastifyInstance): Promise<StartedApp> {
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  return { base, close: () => app.close() }
}

runAdapterScenarios({
  name: 'fastify 5',
  hasViews: false,
  hasTrustProxy: true,
  start: async (setup) => listen(await fastifyApp(setup)),
})

describe('fastify 5: the decorators and the session', () => {
  const apps = eachApp()

  it('gives login code of its own request.axes and fastify.axes; sendLockout renders refusals', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
    const app = Fastify()
    await app.register(formbody)
    await app.register(axesPlugin, { axes })
    app.post('/login', async (request, reply) => {
      expect(app.axes).toBe(axes)
      const body = request.body as Record<string, string>
      const reservation = await request.axes.reserve(body)
      if (!reservation.decision.allowed) return sendLockout(request, reply, reservation.decision)
      if (body.password === USER.password) {
        await reservation.succeeded(body.username)
        return 'in'
      }
      const after = await reservation.failed()
      if (!after.allowed) return sendLockout(request, reply, after)
      return reply.code(401).send(`${after.remaining} left`)
    })
    const started = apps.use(await listen(app))
    await playOwnLoginCode(started.base, axes)
  })

  it('writes the @fastify/session id hash to the access log, on login and logout', async () => {
    const handler = testHandler()
    const axes = createAxes({ handler, logger: false })
    const app = Fastify()
    await app.register(cookie)
    await app.register(fastifySession, {
      secret: 'a secret with at least thirty-two characters',
      cookie: { secure: false },
      saveUninitialized: false,
    })
    await app.register(formbody)
    await app.register(axesPlugin, { axes })
    app.post(
      '/login',
      {
        preHandler: protectLogin(axes, ({ username, password }) =>
          username === USER.username && password === USER.password ? username : null,
        ),
      },
      async (request) => {
        request.session.set('user' as never, 'alice' as never)
        return request.session.sessionId
      },
    )
    app.post('/logout', async (request) => {
      await request.axes.loggedOut('alice')
      return request.session.sessionId
    })
    const started = apps.use(await listen(app))
    await playSessionLogin(started.base, handler)
  })

  it("uses the plugin's sessionId option on protectLogin routes", async () => {
    const handler = testHandler()
    const axes = createAxes({ handler, logger: false })
    const app = Fastify()
    await app.register(formbody)
    await app.register(axesPlugin, {
      axes,
      sessionId: (request) => request.headers['x-session'] as string,
    })
    app.post(
      '/login',
      { preHandler: protectLogin(axes, ({ username }) => username) },
      async () => 'in',
    )
    const started = apps.use(await listen(app))
    const res = await fetch(`${started.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-session': 's-1' },
      body: new URLSearchParams(USER),
    })
    expect(await res.text()).toBe('in')
    expect(handler.calls.find((c) => c.method === 'loggedIn')?.input).toMatchObject({
      sessionHash: createHash('sha256').update('s-1').digest('hex'),
    })
  })
})
