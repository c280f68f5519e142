// `lockoutAs: 'error'`: Express' and Koa's protectLogin hand a refusal to the framework's error
// handling (`next(err)`, a thrown error as `ctx.throw` makes) instead of answering it, with what
// their default error handlers read (status, headers, an exposed message) and node-axes' own
// answer for an error handler of the application's. Real HTTP.

import { bodyParser } from '@koa/bodyparser'
import express, { type NextFunction, type Request, type Response } from 'express'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AxesLockoutError,
  protectLogin as expressLogin,
} from '../../../src/adapters/express/index.js'
import {
  AxesLockoutError as KoaLockoutError,
  protectLogin as koaLogin,
} from '../../../src/adapters/koa/index.js'
import { type Axes, createAxes } from '../../../src/index.js'
import { listenNode } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

const verify = ({ username, password }: { username: string; password: string }) =>
  username === 'alice' && password === 'wonderland' ? username : null

const newAxes = (): Axes =>
  createAxes({
    handler: 'memory',
    failureLimit: 2,
    cooloffTime: '10m',
    enableRetryAfterHeader: true,
    logger: false,
  })

const post = (base: string, password: string) =>
  fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password }),
  })

const MESSAGE = 'Account locked: too many login attempts. Please try again later.'

describe("lockoutAs: 'error'", () => {
  let app: StartedApp | null = null
  afterEach(async () => {
    await app?.close()
    app = null
  })

  it("Express: next(err) reaches the application's error handler with the decision and node-axes' answer", async () => {
    const seen: unknown[] = []
    const ex = express()
    ex.use(express.urlencoded({ extended: false }))
    ex.post('/login', expressLogin(newAxes(), verify, { lockoutAs: 'error' }), (_req, res) => {
      res.send('in')
    })
    ex.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
      seen.push(err)
      if (!(err instanceof AxesLockoutError)) return next(err)
      res
        .status(err.status)
        .set(err.headers)
        .json({ page: 'locked', message: err.message, remaining: err.decision.remaining })
    })
    app = await listenNode(ex.listen(0, '127.0.0.1'))
    expect((await post(app.base, 'nope')).status).toBe(401)
    const locked = await post(app.base, 'nope')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('600')
    expect(locked.headers.get('cache-control')).toBe('no-store')
    expect(await locked.json()).toEqual({ page: 'locked', message: MESSAGE, remaining: 0 })
    const error = seen[0] as AxesLockoutError
    expect(error.response.status).toBe(429)
    expect(error.response.body).toBe(MESSAGE)
    expect(error.decision.lockedOut).toBe(true)
  })

  it('Express: the default error handler answers with the status and headers', async () => {
    const ex = express()
    ex.use(express.urlencoded({ extended: false }))
    ex.post('/login', expressLogin(newAxes(), verify, { lockoutAs: 'error' }), (_req, res) => {
      res.send('in')
    })
    app = await listenNode(ex.listen(0, '127.0.0.1'))
    expect((await post(app.base, 'nope')).status).toBe(401)
    const locked = await post(app.base, 'nope')
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('600')
  })

  it('Koa: the thrown error reaches upstream middleware; without one, Koa answers it with the message and headers', async () => {
    for (const withHandler of [true, false]) {
      const koa = new Koa()
      koa.silent = true
      const caught: unknown[] = []
      if (withHandler) {
        koa.use(async (ctx, next) => {
          try {
            await next()
          } catch (err) {
            caught.push(err)
            if (!(err instanceof KoaLockoutError)) throw err
            ctx.status = err.status
            ctx.set(err.headers)
            ctx.body = { page: 'locked', remaining: err.decision.remaining }
          }
        })
      }
      koa.use(bodyParser())
      const login = koaLogin(newAxes(), verify, { lockoutAs: 'error' })
      koa.use(async (ctx, next) => {
        if (ctx.path !== '/login') return next()
        await login(ctx, async () => {
          ctx.body = 'in'
        })
      })
      app = await listenNode(koa.listen(0, '127.0.0.1'))
      await post(app.base, 'nope')
      const locked = await post(app.base, 'nope')
      expect(locked.status).toBe(429)
      expect(locked.headers.get('retry-after')).toBe('600')
      if (withHandler) {
        expect(await locked.json()).toEqual({ page: 'locked', remaining: 0 })
        expect(caught).toHaveLength(1)
      } else {
        expect(await locked.text()).toBe(MESSAGE)
      }
      await app.close()
      app = null
    }
  })

  it('refuses an unknown lockoutAs when the middleware is made', () => {
    const axes = newAxes()
    const bad = { lockoutAs: 'throw' as 'error' }
    expect(() => expressLogin(axes, verify, bad)).toThrow(/lockoutAs must be 'response' or 'error'/)
    expect(() => koaLogin(axes, verify, bad)).toThrow(/lockoutAs must be 'response' or 'error'/)
  })
})
