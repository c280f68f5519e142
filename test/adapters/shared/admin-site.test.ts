// `onlyAdminSite` cannot be walked around: every spelling of the admin login path that a framework
// routes to the admin's login handler (other case, trailing or repeated slashes, percent-encoding)
// is counted, through real HTTP on Express, Fastify, Koa, Hono and Passport.

import { request as httpRequest, type Server } from 'node:http'
import formbody from '@fastify/formbody'
import { serve } from '@hono/node-server'
import { bodyParser } from '@koa/bodyparser'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { afterEach, describe, expect, it } from 'vitest'
import { protectLogin as expressLogin } from '../../../src/adapters/express/index.js'
import { axesPlugin, protectLogin as fastifyLogin } from '../../../src/adapters/fastify/index.js'
import { protectLogin as honoLogin } from '../../../src/adapters/hono/index.js'
import { axesMiddleware, protectLogin as koaLogin } from '../../../src/adapters/koa/index.js'
import { axesStrategy } from '../../../src/adapters/passport/index.js'
import { type Axes, createAxes } from '../../../src/index.js'
import { type StartedApp, startedServer } from './scenarios.js'

const LIMIT = 3
const GUESSES = LIMIT + 2

/** Spellings of `/admin/login` an attacker may try; some frameworks route some of them. */
const VARIANTS = [
  '/admin/login',
  '/ADMIN/login',
  '/Admin/login/',
  '/admin/login/',
  '/admin/LOGIN',
  '//admin/login',
  '/admin//login',
  '/%61dmin/login',
  '/%41DMIN/login',
  '/admin/%6Cogin',
  '/admin%2Flogin',
  '/admin/./login',
  '/x/../admin/login',
]

type Verify = (username: string, password: string) => boolean

/** A framework's app with its admin login route at `/admin/login`, and how it routes. */
interface Framework {
  name: string
  start(axes: Axes, verify: Verify): Promise<StartedApp>
}

const FRAMEWORKS: Framework[] = [
  {
    name: 'Express',
    start: async (axes, verify) => {
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.post(
        '/admin/login',
        expressLogin(axes, (c) => verify(c.username, c.password)),
        (_req, res) => {
          res.send('in')
        },
      )
      return startedServer(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Express, a router mounted at /admin',
    start: async (axes, verify) => {
      const app = express()
      const admin = express.Router()
      admin.post(
        '/login',
        expressLogin(axes, (c) => verify(c.username, c.password)),
        (_req, res) => {
          res.send('in')
        },
      )
      app.use(express.urlencoded({ extended: false }))
      app.use('/admin', admin)
      return startedServer(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Fastify (defaults)',
    start: (axes, verify) => startFastify(axes, verify, {}),
  },
  {
    name: 'Fastify (case-insensitive, trailing and duplicate slashes ignored)',
    start: (axes, verify) =>
      startFastify(axes, verify, {
        caseSensitive: false,
        ignoreTrailingSlash: true,
        ignoreDuplicateSlashes: true,
      }),
  },
  {
    name: 'Koa',
    start: async (axes, verify) => {
      const app = new Koa()
      app.silent = true
      app.use(bodyParser())
      app.use(axesMiddleware(axes))
      const guard = koaLogin(axes, (c) => verify(c.username, c.password))
      app.use(async (ctx, next) => {
        // A case-insensitive, trailing-slash-tolerant route, as routers for Koa match by default.
        if (ctx.method !== 'POST' || !/^\/admin\/login\/?$/i.test(ctx.path)) return next()
        return guard(ctx, async () => {
          ctx.body = 'in'
        })
      })
      return startedServer(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Hono (defaults)',
    start: async (axes, verify) => startHono(axes, verify, new Hono()),
  },
  {
    name: 'Hono (strict: false)',
    start: async (axes, verify) => startHono(axes, verify, new Hono({ strict: false })),
  },
  {
    name: 'Passport on Express',
    start: async (axes, verify) => {
      const passport = new Passport()
      passport.use(
        axesStrategy(
          axes,
          new LocalStrategy((username, password, done) => {
            done(null, verify(username, password) ? { username } : false)
          }),
        ),
      )
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(passport.initialize())
      app.post('/admin/login', passport.authenticate('local', { session: false }), (_req, res) => {
        res.send('in')
      })
      return startedServer(app.listen(0, '127.0.0.1'))
    },
  },
]

async function startFastify(
  axes: Axes,
  verify: Verify,
  routerOptions: Record<string, boolean>,
): Promise<StartedApp> {
  const app = Fastify({ routerOptions })
  await app.register(formbody)
  await app.register(axesPlugin, { axes })
  app.post(
    '/admin/login',
    { preHandler: fastifyLogin(axes, (c) => verify(c.username, c.password)) },
    async () => 'in',
  )
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  return { base, close: () => app.close() }
}

function startHono(axes: Axes, verify: Verify, app: Hono): Promise<StartedApp> {
  app.post(
    '/admin/login',
    honoLogin(axes, (c) => verify(c.username, c.password)),
    (c) => c.text('in'),
  )
  return startedServer(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
}

/** POSTs a login form to a raw path (fetch would normalise it): the status. */
function post(base: string, path: string, username: string): Promise<number> {
  const { port } = new URL(base)
  const body = new URLSearchParams({ username, password: 'wrong' }).toString()
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

describe.each(FRAMEWORKS)('onlyAdminSite on $name', ({ start }) => {
  let started: StartedApp | null = null
  let axes: Axes | null = null
  afterEach(async () => {
    await started?.close()
    await axes?.close()
  })

  it('counts every spelling of the admin login path that reaches the login handler', async () => {
    axes = createAxes({
      handler: 'memory',
      onlyAdminSite: true,
      failureLimit: LIMIT,
      lockoutParameters: ['username'],
      logger: false,
    })
    // Each spelling guesses for a username of its own, so each is counted apart.
    const checks = new Map<string, number>()
    started = await start(axes, (username) => {
      checks.set(username, (checks.get(username) ?? 0) + 1)
      return false
    })
    const reached: Record<string, number> = {}
    for (const [i, path] of VARIANTS.entries()) {
      for (let n = 0; n < GUESSES; n++) await post(started.base, path, `user${i}`)
      reached[path] = checks.get(`user${i}`) ?? 0
    }
    // No spelling reaches the password check more than the limit allows...
    expect(Object.entries(reached).filter(([, count]) => count > LIMIT)).toEqual([])
    // ...and the plain path is routed and counted (the test is not vacuous).
    expect(reached['/admin/login']).toBe(LIMIT)
  })
})
