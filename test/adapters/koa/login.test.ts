import { bodyParser } from '@koa/bodyparser'
import Koa3 from 'koa'
import session from 'koa-session'
import Koa2 from 'koa2'
import { describe, it } from 'vitest'
import { axesMiddleware, protectLogin, sendLockout } from '../../../src/adapters/koa/index.js'
import { createAxes, testHandler } from '../../../src/index.js'
import {
  type AppSetup,
  eachApp,
  playOwnLoginCode,
  playSessionLogin,
  runAdapterScenarios,
  startedServer,
  USER,
} from '../shared/scenarios.js'

type KoaClass = typeof Koa3

/** The login app, as the docs show it. */
function koaApp(Koa: KoaClass, setup: Pick<AppSetup, 'axes' | 'verify' | 'trustProxy'>) {
  const app = new Koa({ proxy: setup.trustProxy })
  // Koa logs client errors such as malformed JSON to stderr; the answer is still a clean 400.
  app.silent = true
  app.use(bodyParser())
  // The application varies on Accept-Language already (as i18n middleware does): a lockout's
  // `Vary: Origin` must add to it, not replace it.
  app.use(async (ctx, next) => {
    ctx.vary('Accept-Language')
    await next()
  })
  app.use(axesMiddleware(setup.axes))
  const guard = protectLogin(setup.axes, (credentials) => setup.verify(credentials))
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/login') return next()
    return guard(ctx, async () => {
      ctx.type = 'text/plain'
      ctx.body = `welcome ${String(ctx.state.axesLogin.user)}`
    })
  })
  return app
}

for (const [name, Koa] of [
  ['koa 3', Koa3],
  ['koa 2', Koa2 as unknown as KoaClass],
] as const) {
  runAdapterScenarios({
    name,
    hasViews: false,
    hasTrustProxy: true,
    start: async (setup) => startedServer(koaApp(Koa, setup).listen(0, '127.0.0.1')),
  })

  describe(`${name}: the per-request API and the session`, () => {
    const apps = eachApp()

    it('gives login code of its own ctx.axes, and sendLockout renders refusals', async () => {
      const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
      const app = new Koa()
      app.use(bodyParser())
      app.use(axesMiddleware(axes))
      app.use(async (ctx) => {
        const body = ctx.request.body as Record<string, string>
        const reservation = await ctx.axes.reserve(body)
        if (!reservation.decision.allowed) return sendLockout(ctx, reservation.decision)
        if (body.password === USER.password) {
          await reservation.succeeded(body.username)
          ctx.body = 'in'
          return
        }
        const after = await reservation.failed()
        if (!after.allowed) return sendLockout(ctx, after)
        ctx.status = 401
        ctx.body = `${after.remaining} left`
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      await playOwnLoginCode(started.base, axes)
    })

    it('writes the koa-session id hash (external store) to the access log, on login and logout', async () => {
      const handler = testHandler()
      const axes = createAxes({ handler, logger: false })
      const app = new Koa()
      app.keys = ['test']
      const sessions = new Map<string, unknown>()
      app.use(
        session(
          {
            store: {
              get: (key: string) => sessions.get(key),
              set: (key: string, value: unknown) => void sessions.set(key, value),
              destroy: (key: string) => void sessions.delete(key),
            },
          },
          app as never,
        ),
      )
      app.use(bodyParser())
      app.use(axesMiddleware(axes))
      const guard = protectLogin(axes, ({ username, password }) =>
        username === USER.username && password === USER.password ? username : null,
      )
      app.use(async (ctx, next) => {
        const sessionOf = () =>
          (ctx.session as unknown as { externalKey: string; user?: string } | null) ?? null
        if (ctx.path === '/login') {
          return guard(ctx, async () => {
            const s = sessionOf()
            if (s) s.user = 'alice'
            ctx.body = s?.externalKey ?? ''
          })
        }
        if (ctx.path === '/logout') {
          await ctx.axes.loggedOut('alice')
          ctx.body = sessionOf()?.externalKey ?? ''
          return
        }
        return next()
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      await playSessionLogin(started.base, handler)
    })
  })
}
