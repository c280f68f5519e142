import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import express5 from 'express'
import session from 'express-session'
import express4 from 'express4'
import { describe, expect, it } from 'vitest'
import { axesMiddleware, protectLogin, sendLockout } from '../../../src/adapters/express/index.js'
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

type ExpressModule = typeof express5

const VIEWS = fileURLToPath(new URL('../../fixtures/views', import.meta.url))

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A tiny view engine: `{{name}}` replaced by the escaped local. */
function tinyEngine(path: string, locals: object, done: (error: unknown, html?: string) => void) {
  readFile(path, 'utf8').then(
    (text) =>
      done(
        null,
        text.replace(/\{\{(\w+)\}\}/g, (_, key: string) =>
          escapeHtml(String((locals as Record<string, unknown>)[key] ?? '')),
        ),
      ),
    done,
  )
}

/** The tiny engine for `.html` views in test/fixtures/views. */
function withViews(app: ReturnType<ExpressModule>): void {
  app.engine('html', tinyEngine)
  app.set('views', VIEWS)
  app.set('view engine', 'html')
}

/** The login app, as the docs show it, with a tiny view engine and a clean error handler. */
function expressApp(
  express: ExpressModule,
  setup: Pick<AppSetup, 'axes' | 'verify' | 'trustProxy' | 'view'>,
) {
  const app = express()
  if (setup.trustProxy) app.set('trust proxy', 1)
  withViews(app)
  // The application varies on Accept-Language already (as i18n middleware does): a lockout's
  // `Vary: Origin` must add to it, not replace it.
  app.use((_req, res, next) => {
    res.vary('Accept-Language')
    next()
  })
  app.use(express.urlencoded({ extended: false }))
  app.use(express.json())
  // The view is given to the middleware; protectLogin takes it from there.
  app.use(axesMiddleware(setup.axes, setup.view ? { lockoutView: 'locked' } : {}))
  app.post(
    '/login',
    protectLogin(setup.axes, (credentials) => setup.verify(credentials)),
    (_req, res) => {
      res.type('text').send(`welcome ${String(res.locals.axesLogin.user)}`)
    },
  )
  app.use(
    (
      error: { status?: number; expose?: boolean; message?: string },
      _req: express5.Request,
      res: express5.Response,
      _next: express5.NextFunction,
    ) => {
      const status =
        typeof error.status === 'number' && error.status >= 400 && error.status < 500
          ? error.status
          : 500
      res
        .status(status)
        .type('text')
        .send(status === 500 ? 'Internal error.' : (error.message ?? 'Bad request.'))
    },
  )
  return app
}

for (const [name, express] of [
  ['express 5', express5],
  ['express 4', express4 as unknown as ExpressModule],
] as const) {
  runAdapterScenarios({
    name,
    hasViews: true,
    hasTrustProxy: true,
    start: async (setup) => startedServer(expressApp(express, setup).listen(0, '127.0.0.1')),
  })

  describe(`${name}: the per-request API and the session`, () => {
    const apps = eachApp()

    it('gives login code of its own req.axes, and sendLockout renders refusals', async () => {
      const axes = createAxes({ handler: 'memory', failureLimit: 2, logger: false })
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(axesMiddleware(axes))
      app.post('/login', async (req, res, next) => {
        try {
          const reservation = await req.axes.reserve(req.body)
          if (!reservation.decision.allowed) return sendLockout(req, res, reservation.decision)
          if (req.body.password === USER.password) {
            await reservation.succeeded(req.body.username)
            return res.send('in')
          }
          const after = await reservation.failed()
          if (!after.allowed) return sendLockout(req, res, after)
          res.status(401).send(`${after.remaining} left`)
        } catch (error) {
          next(error)
        }
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      await playOwnLoginCode(started.base, axes)
    })

    it("answers as res.send would: the charset, Content-Length, the app's headers, no body to HEAD", async () => {
      const axes = createAxes({
        handler: 'memory',
        failureLimit: 2,
        lockoutParameters: ['ip_address'],
        logger: false,
      })
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use((_req, res, next) => {
        res.setHeader('x-frame-options', 'DENY')
        next()
      })
      app.all(
        '/login',
        protectLogin(axes, () => null),
        (_req, res) => {
          res.send('in')
        },
      )
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const post = (accept: string, method = 'POST') =>
        fetch(`${started.base}/login`, {
          method,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
          body: method === 'HEAD' ? null : new URLSearchParams({ username: 'eve', password: 'x' }),
        })
      const json = await post('application/json')
      const text = await json.text()
      expect(json.status).toBe(401)
      expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(json.headers.get('content-length')).toBe(String(Buffer.byteLength(text)))
      expect(json.headers.get('x-frame-options')).toBe('DENY')
      expect(json.headers.get('cache-control')).toBe('no-store')
      expect(JSON.parse(text)).toMatchObject({ remaining: 1 })
      const locked = await post('text/html')
      const page = await locked.text()
      expect(locked.status).toBe(429)
      expect(locked.headers.get('content-type')).toMatch(/^text\/[a-z]+; charset=utf-8$/)
      expect(locked.headers.get('content-length')).toBe(String(Buffer.byteLength(page)))
      const head = await post('text/html', 'HEAD')
      expect(head.status).toBe(429)
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(page)))
      expect(await head.text()).toBe('')
    })

    it('renders the lockoutView given to axesMiddleware in sendLockout, escaping the username', async () => {
      const axes = createAxes({ handler: 'memory', failureLimit: 1, logger: false })
      const app = express()
      withViews(app)
      app.use(express.urlencoded({ extended: false }))
      app.use(axesMiddleware(axes, { lockoutView: 'locked' }))
      app.post('/login', async (req, res, next) => {
        try {
          const decision = await req.axes.loginFailed(req.body)
          if (!decision.allowed) return sendLockout(req, res, decision)
          res.status(401).send('no')
        } catch (error) {
          next(error)
        }
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const res = await fetch(`${started.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: '<b>bob</b>', password: 'x' }),
      })
      expect(res.status).toBe(429)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.text()).toContain('view: locked &#60;b&#62;bob&#60;/b&#62; 1/1')
    })

    it('reads a body parsed by a route-level parser after axesMiddleware, and the mounted path', async () => {
      const axes = createAxes({ handler: 'memory', logger: false, silencedChecks: ['axes.W003'] })
      const app = express()
      app.use(axesMiddleware(axes))
      const router = express.Router()
      router.post('/login', express.urlencoded({ extended: false }), async (req, res, next) => {
        try {
          const decision = await req.axes.loginFailed()
          res.json({ username: decision.client.username, path: decision.client.pathInfo })
        } catch (error) {
          next(error)
        }
      })
      app.use('/auth', router)
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const res = await fetch(`${started.base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'alice', password: 'x' }),
      })
      expect(await res.json()).toEqual({ username: 'alice', path: '/auth/login' })
    })

    it('renders the lockoutView given to protectLogin, without axesMiddleware', async () => {
      const axes = createAxes({ handler: 'memory', failureLimit: 1, logger: false })
      const app = express()
      withViews(app)
      app.use(express.urlencoded({ extended: false }))
      app.post(
        '/login',
        protectLogin(axes, () => null, { lockoutView: 'locked' }),
      )
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const res = await fetch(`${started.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'bob', password: 'x' }),
      })
      expect(res.status).toBe(429)
      expect(await res.text()).toContain('view: locked bob 1/1')
      expect(axes.check().map((c) => c.id)).not.toContain('axes.W002')
    })

    it('writes the express-session id hash to the access log, on login and logout', async () => {
      const handler = testHandler()
      const axes = createAxes({ handler, logger: false })
      const app = express()
      app.use(session({ secret: 'test', resave: false, saveUninitialized: false }))
      app.use(express.urlencoded({ extended: false }))
      app.use(axesMiddleware(axes))
      app.post(
        '/login',
        protectLogin(axes, ({ username, password }) =>
          username === USER.username && password === USER.password ? username : null,
        ),
        (req, res) => {
          ;(req.session as unknown as { user: string }).user = 'alice'
          res.send(req.sessionID)
        },
      )
      app.post('/logout', async (req, res) => {
        await req.axes.loggedOut('alice')
        res.send(req.sessionID)
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      await playSessionLogin(started.base, handler)
    })

    it('passes errors of verify to the error handler', async () => {
      const axes = createAxes({ handler: 'memory', logger: false })
      const app = expressApp(express, {
        axes,
        verify: () => Promise.reject(new Error('database down')),
        trustProxy: false,
        view: false,
      })
      const started = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const res = await fetch(`${started.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(USER),
      })
      expect(res.status).toBe(500)
      expect(await res.text()).toBe('Internal error.')
    })
  })
}
