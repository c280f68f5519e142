import { setTimeout as sleep } from 'node:timers/promises'
import express from 'express'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { describe, expect, it } from 'vitest'
import { type AxesLockoutInfo, axesStrategy } from '../../../src/adapters/passport/index.js'
import { type AxesOptions, createAxes, testHandler } from '../../../src/index.js'
import { eachApp, startedServer, USER } from '../shared/scenarios.js'

const COOLOFF_MESSAGE = 'Account locked: too many login attempts. Please try again later.'

function setup(options: AxesOptions, lockout: 'respond' | 'fail' = 'respond') {
  const axes = createAxes({
    handler: 'memory',
    failureLimit: 3,
    cooloffTime: '1m',
    logger: false,
    ...options,
  })
  const counter = { calls: 0 }
  const passport = new Passport()
  passport.use(
    axesStrategy(
      axes,
      new LocalStrategy((username, password, done) => {
        counter.calls++
        setTimeout(() => {
          if (username === USER.username && password === USER.password) done(null, { username })
          else done(null, false, { message: 'Invalid credentials' })
        }, 2)
      }),
      { lockout },
    ),
  )
  const app = express()
  app.use(express.urlencoded({ extended: false }))
  app.use(passport.initialize())
  return { axes, counter, passport, app }
}

describe('node-axes/passport with passport-local through Express', () => {
  const apps = eachApp()
  const login = (base: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ username: USER.username, password }),
      redirect: 'manual',
    })

  it('records failures, answers the limit with the lockout response, and never runs the strategy for a locked client', async () => {
    const { counter, passport, app } = setup({ enableRetryAfterHeader: true })
    app.post('/login', passport.authenticate('local', { session: false }), (req, res) => {
      res.send(`welcome ${(req.user as { username: string }).username}`)
    })
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    for (let i = 0; i < 2; i++) expect((await login(base, 'wrong')).status).toBe(401)
    const third = await login(base, 'wrong')
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('60')
    expect(await third.text()).toBe(COOLOFF_MESSAGE)
    const right = await login(base, USER.password, { 'x-requested-with': 'XMLHttpRequest' })
    expect(right.status).toBe(429)
    expect(await right.json()).toMatchObject({ username: 'alice', failure_limit: 3 })
    expect(counter.calls).toBe(3)
  })

  it('lets the right password through and records the login', async () => {
    const handler = testHandler()
    const { passport, app } = setup({ handler })
    app.post('/login', passport.authenticate('local', { session: false }), (req, res) => {
      res.send(`welcome ${(req.user as { username: string }).username}`)
    })
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    const res = await login(base, USER.password)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('welcome alice')
    expect(handler.calls.find((c) => c.method === 'loggedIn')?.input).toMatchObject({
      username: 'alice',
    })
  })

  it("surfaces the lockout as Passport's failure info in 'fail' mode", async () => {
    const { passport, app } = setup({}, 'fail')
    app.post('/login', (req, res, next) => {
      passport.authenticate(
        'local',
        { session: false },
        (
          error: unknown,
          user: unknown,
          info: AxesLockoutInfo | { message: string } | undefined,
          status?: number,
        ) => {
          if (error) return next(error)
          if (user) return res.send('in')
          if (info && 'axesLockout' in info) {
            return res
              .status(info.response.status)
              .set(info.response.headers)
              .send(`${status} ${info.message} ${info.decision.failures}`)
          }
          res.status(401).send(info?.message ?? 'no')
        },
      )(req, res, next)
    })
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    for (let i = 0; i < 2; i++) {
      const res = await login(base, 'wrong')
      expect(res.status).toBe(401)
      expect(await res.text()).toBe('Invalid credentials')
    }
    const locked = await login(base, 'wrong')
    expect(locked.status).toBe(429)
    expect(await locked.text()).toBe(`429 ${COOLOFF_MESSAGE} 3`)
  })

  it("redirects a locked client with failureRedirect in 'fail' mode", async () => {
    const { passport, app } = setup({ failureLimit: 1 }, 'fail')
    app.post(
      '/login',
      passport.authenticate('local', { session: false, failureRedirect: '/sorry' }),
    )
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    const res = await login(base, 'wrong')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/sorry')
  })

  it('lets 200 parallel wrong passwords reach the strategy exactly failureLimit times', async () => {
    const { counter, passport, app } = setup({
      failureLimit: 4,
      lockoutParameters: [['username', 'ip_address']],
    })
    app.post('/login', passport.authenticate('local', { session: false }), (_req, res) => {
      res.send('in')
    })
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    const statuses = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await login(base, 'wrong')
        await res.arrayBuffer()
        return res.status
      }),
    )
    await sleep(10)
    expect(counter.calls).toBe(4)
    expect(statuses.filter((s) => s === 401)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(197)
  })

  it('passes strategy errors on and releases the place', async () => {
    const axes = createAxes({ handler: 'memory', failureLimit: 1, logger: false })
    const passport = new Passport()
    passport.use(
      axesStrategy(axes, new LocalStrategy((_u, _p, done) => done(new Error('database down')))),
    )
    const app = express()
    app.use(express.urlencoded({ extended: false }))
    app.post('/login', passport.authenticate('local', { session: false }))
    app.use(
      (
        _error: unknown,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res.status(500).send('Internal error.')
      },
    )
    const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
    for (let i = 0; i < 3; i++) expect((await login(base, 'x')).status).toBe(500)
  })
})

describe('node-axes/passport: the username verified is the username counted', () => {
  const apps = eachApp()

  it.each([false, true])(
    'refuses with 400, before the password check, a login whose verify callback would receive another username (passReqToCallback %s)',
    async (passReqToCallback) => {
      const axes = createAxes({ handler: 'memory', failureLimit: 3, logger: false })
      const checked: string[] = []
      const verify = (username: string, _password: string, done: (e: null, u: false) => void) => {
        checked.push(username)
        done(null, false)
      }
      const passport = new Passport()
      passport.use(
        axesStrategy(
          axes,
          passReqToCallback
            ? new LocalStrategy({ passReqToCallback: true }, (_req, u, p, done) =>
                verify(u, p, done),
              )
            : new LocalStrategy(verify),
          // Counts a header's value, while passport-local verifies the body's username.
          { credentials: (req) => ({ username: String(req.headers['x-user'] ?? '') }) },
        ),
      )
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(passport.initialize())
      app.post('/login', passport.authenticate('local', { session: false }), (_req, res) => {
        res.send('in')
      })
      const { base } = apps.use(await startedServer(app.listen(0, '127.0.0.1')))
      const post = (headers: Record<string, string>) =>
        fetch(`${base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams({ username: 'alice', password: 'wrong' }),
        })
      for (let i = 0; i < 5; i++) expect((await post({ 'x-user': `junk${i}` })).status).toBe(400)
      expect(checked).toEqual([])
      // Counted and verified alike: checked, and locked at the limit.
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await post({ 'x-user': 'alice' })).status)
      expect(statuses).toEqual([401, 401, 429, 429])
      expect(checked).toEqual(['alice', 'alice', 'alice'])
    },
  )
})
