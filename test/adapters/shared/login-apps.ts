// The login apps of the identity tests: each framework's protectLogin and the docs' "your own
// login code" snippets (and the Passport example), around a password check that records what it
// receives.

import type { Server } from 'node:http'
import formbody from '@fastify/formbody'
import { serve } from '@hono/node-server'
import { bodyParser } from '@koa/bodyparser'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { verifyUser } from '../../../examples/demo.js'
import { createApp as passportExample } from '../../../examples/passport-login.js'
import {
  sendLockout as expressLockout,
  protectLogin as expressLogin,
  axesMiddleware as expressMiddleware,
} from '../../../src/adapters/express/index.js'
import {
  axesPlugin,
  sendLockout as fastifyLockout,
  protectLogin as fastifyLogin,
} from '../../../src/adapters/fastify/index.js'
import {
  type AxesVariables,
  sendLockout as honoLockout,
  protectLogin as honoLogin,
  axesMiddleware as honoMiddleware,
} from '../../../src/adapters/hono/index.js'
import {
  sendLockout as koaLockout,
  protectLogin as koaLogin,
  axesMiddleware as koaMiddleware,
} from '../../../src/adapters/koa/index.js'
import type { Axes } from '../../../src/index.js'
import { type StartedApp, startedServer } from './scenarios.js'

/** The examples' failure limit. */
export const LIMIT = 3

/**
 * The password check of the examples, counting the checks of alice's password and recording what
 * every check received.
 */
export function checker() {
  const checks = { alice: 0 }
  const calls: { username: unknown; password: unknown }[] = []
  const verify = (username: unknown, password: unknown): string | null => {
    calls.push({ username, password })
    // As a careless check would: whatever it is given, looked up as a property name.
    const name = String(username)
    if (name === 'alice') checks.alice++
    return verifyUser(username as string, password as string)
  }
  return { checks, calls, verify }
}

export type Verify = ReturnType<typeof checker>['verify']

export interface App {
  name: string
  /** Whether the app parses JSON bodies (else only the form shapes apply). */
  json: boolean
  /** Whether its body parser keeps only the last of a repeated field (Hono's `parseBody()`). */
  lastValue?: boolean
  start(axes: Axes, verify: Verify): Promise<StartedApp>
}

export const listenNode = (server: Server) => startedServer(server)

export const APPS: App[] = [
  {
    name: 'Passport (examples/passport-login.ts, its verify counted)',
    json: false,
    start: async (axes, verify) => {
      // The example itself, with its verifyUser replaced by the counting one through the module.
      const app = passportExample(axes, verify)
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Express, your own login code (docs/express.md)',
    json: true,
    start: async (axes, verify) => {
      const app = express()
      app.use(express.urlencoded({ extended: true }), express.json())
      app.use(expressMiddleware(axes))
      app.post('/login', async (req, res, next) => {
        try {
          const reservation = await req.axes.reserve(req.body)
          if (!reservation.decision.allowed) return expressLockout(req, res, reservation.decision)
          const { username, password } = req.axes.credentials()
          const user = verify(username, password)
          if (user) {
            await reservation.succeeded(user)
            return res.send(`welcome ${user}`)
          }
          const after = await reservation.failed()
          if (!after.allowed) return expressLockout(req, res, after)
          res.status(401).send(`${after.remaining} attempts left`)
        } catch (error) {
          next(error)
        }
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Express, your own login code passing req.body to the check (the earlier docs)',
    json: true,
    start: async (axes, verify) => {
      const app = express()
      app.use(express.urlencoded({ extended: true }), express.json())
      app.use(expressMiddleware(axes))
      app.post('/login', async (req, res, next) => {
        try {
          const reservation = await req.axes.reserve(req.body)
          if (!reservation.decision.allowed) return expressLockout(req, res, reservation.decision)
          const user = verify(req.body.username, req.body.password)
          if (user) {
            await reservation.succeeded(user)
            return res.send(`welcome ${user}`)
          }
          const after = await reservation.failed()
          if (!after.allowed) return expressLockout(req, res, after)
          res.status(401).send(`${after.remaining} attempts left`)
        } catch (error) {
          next(error)
        }
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Express, protectLogin',
    json: true,
    start: async (axes, verify) => {
      const app = express()
      app.use(express.urlencoded({ extended: true }), express.json())
      app.post(
        '/login',
        expressLogin(axes, (c) => verify(c.username, c.password)),
        (_req, res) => {
          res.send('welcome')
        },
      )
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Fastify, your own login code (docs/fastify.md)',
    json: true,
    start: async (axes, verify) => {
      const app = Fastify()
      await app.register(formbody)
      await app.register(axesPlugin, { axes })
      app.post('/login', async (request, reply) => {
        const reservation = await request.axes.reserve(request.body as Record<string, unknown>)
        if (!reservation.decision.allowed)
          return fastifyLockout(request, reply, reservation.decision)
        const { username, password } = request.axes.credentials()
        const user = verify(username, password)
        if (user) {
          await reservation.succeeded(user)
          return { ok: true }
        }
        const after = await reservation.failed()
        if (!after.allowed) return fastifyLockout(request, reply, after)
        return reply.code(401).send({ error: 'wrong password', remaining: after.remaining })
      })
      const base = await app.listen({ port: 0, host: '127.0.0.1' })
      return { base, close: () => app.close() }
    },
  },
  {
    name: 'Fastify, your own login code passing the body fields to the check (the earlier docs)',
    json: true,
    start: async (axes, verify) => {
      const app = Fastify()
      await app.register(formbody)
      await app.register(axesPlugin, { axes })
      app.post('/login', async (request, reply) => {
        const { username, password } = request.body as { username: string; password: string }
        const reservation = await request.axes.reserve({ username, password })
        if (!reservation.decision.allowed)
          return fastifyLockout(request, reply, reservation.decision)
        const user = verify(username, password)
        if (user) {
          await reservation.succeeded(user)
          return { ok: true }
        }
        const after = await reservation.failed()
        if (!after.allowed) return fastifyLockout(request, reply, after)
        return reply.code(401).send({ error: 'wrong password', remaining: after.remaining })
      })
      const base = await app.listen({ port: 0, host: '127.0.0.1' })
      return { base, close: () => app.close() }
    },
  },
  {
    name: 'Fastify, protectLogin',
    json: true,
    start: async (axes, verify) => {
      const app = Fastify()
      await app.register(formbody)
      await app.register(axesPlugin, { axes })
      app.post(
        '/login',
        { preHandler: fastifyLogin(axes, (c) => verify(c.username, c.password)) },
        async () => 'welcome',
      )
      const base = await app.listen({ port: 0, host: '127.0.0.1' })
      return { base, close: () => app.close() }
    },
  },
  {
    name: 'Koa, your own login code (docs/koa.md)',
    json: true,
    start: async (axes, verify) => {
      const app = new Koa()
      app.silent = true
      app.use(bodyParser())
      app.use(koaMiddleware(axes))
      app.use(async (ctx) => {
        const reservation = await ctx.axes.reserve(ctx.request.body as Record<string, unknown>)
        if (!reservation.decision.allowed) return koaLockout(ctx, reservation.decision)
        const { username, password } = ctx.axes.credentials()
        const user = verify(username, password)
        if (user) {
          await reservation.succeeded(user)
          ctx.body = 'welcome'
          return
        }
        const after = await reservation.failed()
        if (!after.allowed) return koaLockout(ctx, after)
        ctx.status = 401
        ctx.body = `${after.remaining} attempts left`
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Koa, your own login code passing the body fields to the check (the earlier docs)',
    json: true,
    start: async (axes, verify) => {
      const app = new Koa()
      app.silent = true
      app.use(bodyParser())
      app.use(koaMiddleware(axes))
      app.use(async (ctx) => {
        const body = ctx.request.body as { username: string; password: string }
        const reservation = await ctx.axes.reserve(body)
        if (!reservation.decision.allowed) return koaLockout(ctx, reservation.decision)
        const user = verify(body.username, body.password)
        if (user) {
          await reservation.succeeded(user)
          ctx.body = 'welcome'
          return
        }
        const after = await reservation.failed()
        if (!after.allowed) return koaLockout(ctx, after)
        ctx.status = 401
        ctx.body = `${after.remaining} attempts left`
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Koa, protectLogin',
    json: true,
    start: async (axes, verify) => {
      const app = new Koa()
      app.silent = true
      app.use(bodyParser())
      const guard = koaLogin(axes, (c) => verify(c.username, c.password))
      app.use((ctx) =>
        guard(ctx, async () => {
          ctx.body = 'welcome'
        }),
      )
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Hono, your own login code (docs/hono.md)',
    json: false,
    lastValue: true,
    start: async (axes, verify) => {
      const app = new Hono<{ Variables: AxesVariables }>()
      app.use('/login', honoMiddleware(axes))
      app.post('/login', async (c) => {
        const body = await c.req.parseBody()
        const reservation = await c.get('axes').reserve(body)
        if (!reservation.decision.allowed) return honoLockout(c, reservation.decision)
        const { username, password } = c.get('axes').credentials(body)
        const user = verify(username, password)
        if (user) {
          await reservation.succeeded(user)
          return c.text('welcome')
        }
        const after = await reservation.failed()
        if (!after.allowed) return honoLockout(c, after)
        return c.text(`${after.remaining} attempts left`, 401)
      })
      return listenNode(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
    },
  },
  {
    name: 'Hono, your own login code reading every value (parseBody({ all: true, dot: true }))',
    json: false,
    start: async (axes, verify) => {
      const app = new Hono<{ Variables: AxesVariables }>()
      app.use('/login', honoMiddleware(axes))
      app.post('/login', async (c) => {
        const body = await c.req.parseBody({ all: true, dot: true })
        const reservation = await c.get('axes').reserve(body)
        if (!reservation.decision.allowed) return honoLockout(c, reservation.decision)
        const { username, password } = c.get('axes').credentials(body)
        const user = verify(username, password)
        if (user) {
          await reservation.succeeded(user)
          return c.text('welcome')
        }
        const after = await reservation.failed()
        if (!after.allowed) return honoLockout(c, after)
        return c.text(`${after.remaining} attempts left`, 401)
      })
      return listenNode(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
    },
  },
  {
    name: 'Hono, protectLogin',
    json: true,
    start: async (axes, verify) => {
      const app = new Hono<{ Variables: AxesVariables }>()
      app.post(
        '/login',
        honoLogin(axes, (c) => verify(c.username, c.password)),
        (c) => c.text('welcome'),
      )
      return listenNode(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
    },
  },
]
