/**
 * Challenges instead of locks (node-axes/challenges) end to end: real HTTP through every adapter's
 * protectLogin (Express, Fastify, Koa, Hono, node-axes/web) and Passport's axesStrategy, each
 * with its `verifyChallenge` reading a stub challenge from the form (`captcha=passed`); and on
 * every handler (memory, SQLite, PostgreSQL, MariaDB, Redis) through Express. After `after`
 * failures an attempt without a passed challenge is refused with 403 `challenge_required`, never
 * reaches the password check and is not counted; with one it is checked and counted, and the lock
 * at failureLimit (429) still applies.
 */

import type { IncomingMessage, Server } from 'node:http'
import formbody from '@fastify/formbody'
import { serve } from '@hono/node-server'
import { bodyParser } from '@koa/bodyparser'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { afterAll, describe, expect, it } from 'vitest'
import { protectLogin as expressLogin } from '../../../src/adapters/express/index.js'
import { protectLogin as fastifyLogin } from '../../../src/adapters/fastify/index.js'
import { protectLogin as honoLogin } from '../../../src/adapters/hono/index.js'
import { protectLogin as koaLogin } from '../../../src/adapters/koa/index.js'
import { axesStrategy } from '../../../src/adapters/passport/index.js'
import { protectLogin as webLogin } from '../../../src/adapters/web/index.js'
import { challenges } from '../../../src/core/challenges/index.js'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { redisHandler } from '../../../src/handlers/redis/index.js'
import {
  type Axes,
  type AxesHandler,
  type ChallengeRequiredEvent,
  createAxes,
  memoryHandler,
} from '../../../src/index.js'
import { ioredisClient, uniquePrefix } from '../../handlers/redis/clients.js'
import { mysqlServerUrl, pgServerUrl, redisServerUrl } from '../../support/inject-servers.js'
import { createDatabase } from '../../support/servers.js'
import { checker, listenNode, type Verify } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

const AFTER = 2
const LIMIT = 4

/** The stub challenge: passed when the form says so. */
const passedIn = (body: unknown) =>
  (body as Record<string, unknown> | undefined)?.captcha === 'passed'

interface ChallengeApp {
  name: string
  start(axes: Axes, verify: Verify): Promise<StartedApp>
}

/** What @hono/node-server passes a fetch handler after the request: Node's own request. */
type NodeEnv = { incoming: IncomingMessage }

const APPS: ChallengeApp[] = [
  {
    name: 'Express, protectLogin',
    start: async (axes, verify) => {
      const app = express()
      app.use(express.urlencoded({ extended: false }), express.json())
      app.post(
        '/login',
        expressLogin(axes, (c) => verify(c.username, c.password), {
          verifyChallenge: (req) => passedIn(req.body),
        }),
        (_req, res) => {
          res.send('welcome')
        },
      )
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Fastify, protectLogin',
    start: async (axes, verify) => {
      const app = Fastify()
      await app.register(formbody)
      app.post(
        '/login',
        {
          preHandler: fastifyLogin(axes, (c) => verify(c.username, c.password), {
            verifyChallenge: (request) => passedIn(request.body),
          }),
        },
        async () => 'welcome',
      )
      const base = await app.listen({ port: 0, host: '127.0.0.1' })
      return { base, close: () => app.close() }
    },
  },
  {
    name: 'Koa, protectLogin',
    start: async (axes, verify) => {
      const app = new Koa()
      app.silent = true
      app.use(bodyParser())
      const guard = koaLogin(axes, (c) => verify(c.username, c.password), {
        verifyChallenge: (ctx) => passedIn((ctx.request as { body?: unknown }).body),
      })
      app.use((ctx) =>
        guard(ctx, async () => {
          ctx.body = 'welcome'
        }),
      )
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Hono, protectLogin',
    start: async (axes, verify) => {
      const app = new Hono()
      app.post(
        '/login',
        honoLogin(axes, (c) => verify(c.username, c.password), {
          // The body was read by protectLogin, and reads again here.
          verifyChallenge: async (c) => passedIn(await c.req.parseBody()),
        }),
        (c) => c.text('welcome'),
      )
      return listenNode(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
    },
  },
  {
    name: 'node-axes/web, protectLogin',
    start: async (axes, verify) => {
      const handler = webLogin<[NodeEnv], string>(axes, (c) => verify(c.username, c.password), {
        clientAddress: (_request: Request, env: NodeEnv) => env.incoming.socket.remoteAddress,
        // A copy of the request whose body reads again.
        verifyChallenge: async (request) => (await request.formData()).get('captcha') === 'passed',
        onSuccess: () => new Response('welcome'),
      })
      return listenNode(
        serve({
          fetch: (request, env) => handler(request, env as NodeEnv),
          port: 0,
          hostname: '127.0.0.1',
        }) as Server,
      )
    },
  },
  {
    name: 'Passport, axesStrategy',
    start: async (axes, verify) => {
      const passport = new Passport()
      passport.use(
        axesStrategy(
          axes,
          new LocalStrategy((username, password, done) => {
            const user = verify(username, password)
            done(null, user ? { username: user } : false)
          }),
          { verifyChallenge: (req) => passedIn(req.body) },
        ),
      )
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(passport.initialize())
      app.post('/login', passport.authenticate('local', { session: false }), (_req, res) => {
        res.send('welcome')
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
]

const redisUrl = redisServerUrl()
const redis = redisUrl === null ? null : ioredisClient(redisUrl)
afterAll(() => redis?.disconnect())

/** Every handler, each a fresh store per test. */
const HANDLERS: [string, (() => Promise<AxesHandler>) | null][] = [
  ['memory', async () => memoryHandler()],
  [
    'SQLite',
    async () => {
      const h = databaseHandler({ url: 'sqlite::memory:' })
      await h.migrate()
      return h
    },
  ],
  ...(
    [
      ['PostgreSQL', 'postgres', pgServerUrl()],
      ['MariaDB', 'mysql', mysqlServerUrl()],
    ] as const
  ).map(([title, kind, server]): [string, (() => Promise<AxesHandler>) | null] => [
    title,
    server === null
      ? null
      : async () => {
          const h = databaseHandler({ url: await createDatabase(server, kind), timeoutMs: 60_000 })
          await h.migrate()
          return h
        },
  ]),
  [
    'Redis',
    redis === null ? null : async () => redisHandler({ client: redis, prefix: uniquePrefix('ch') }),
  ],
]

function post(
  base: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  })
}

const WRONG = { username: 'alice', password: 'guess' }
const RIGHT = { username: 'alice', password: 'wonderland' }
const JSON_CLIENT = { accept: 'application/json' }

/** Plays the whole flow against one app and one handler. */
async function playFlow(app: ChallengeApp, handler: AxesHandler): Promise<void> {
  const axes = createAxes({
    handler,
    logger: false,
    lockoutParameters: ['username'],
    failureLimit: LIMIT,
    cooloffTime: '1h',
    challenges: challenges({ after: AFTER }),
  })
  const events: ChallengeRequiredEvent[] = []
  axes.on('challengeRequired', (event) => events.push(event))
  const { checks, verify } = checker()
  const started = await app.start(axes, verify)
  try {
    // Under `after`: no challenge asked.
    for (let i = 0; i < AFTER; i++) {
      const r = await post(started.base, WRONG)
      expect(r.status).toBe(401)
    }
    expect(checks.alice).toBe(AFTER)
    // Now without a passed challenge: 403 challenge_required, neither checked nor counted, as many
    // times as the attacker likes.
    for (let i = 0; i < 6; i++) {
      const r = await post(started.base, i % 2 ? { ...WRONG, captcha: 'failed' } : WRONG)
      expect(r.status).toBe(403)
      await r.arrayBuffer()
    }
    const json = await post(started.base, RIGHT, JSON_CLIENT)
    expect(json.status).toBe(403)
    if (app.name.startsWith('Passport')) {
      // Passport answers with the lockout response node-axes builds: the same JSON.
      expect(json.headers.get('content-type')).toContain('application/json')
    }
    expect(await json.json()).toEqual({
      error: 'challenge_required',
      message: 'Please complete the challenge to sign in.',
      remaining: LIMIT - AFTER,
    })
    expect(checks.alice).toBe(AFTER)
    expect(events.length).toBe(7)
    expect(events.every((e) => e.decision.reason === 'challengeRequired')).toBe(true)
    const state = await axes.isAllowed({
      method: 'POST',
      path: '/login',
      headers: {},
      socketAddress: '127.0.0.1',
      body: WRONG,
      challenge: true,
    })
    expect(state.failures).toBe(AFTER)
    // With a passed challenge: checked, and a wrong password counted, up to the lock.
    const passed = await post(started.base, { ...WRONG, captcha: 'passed' })
    expect(passed.status).toBe(401)
    expect(checks.alice).toBe(AFTER + 1)
    const locking = await post(started.base, { ...WRONG, captcha: 'passed' })
    expect(locking.status).toBe(429)
    // Locked: the lock answers (429, not 403), challenge or not, and the check does not run.
    const locked = await post(started.base, { ...RIGHT, captcha: 'passed' })
    expect(locked.status).toBe(429)
    expect((await post(started.base, RIGHT)).status).toBe(429)
    expect(checks.alice).toBe(LIMIT)
    // Another user is asked nothing.
    const bob = await post(started.base, { username: 'bob', password: 'builder' })
    expect(bob.status).toBeLessThan(400)
  } finally {
    await started.close()
  }
}

describe('challenges over HTTP, every adapter (memory)', () => {
  for (const app of APPS) {
    it(`${app.name}: after ${AFTER} failures, 403 challenge_required without a passed challenge, uncounted; checked and counted with one; 429 at the lock`, async () => {
      await playFlow(app, memoryHandler())
    })
  }

  it('Express, protectLogin: a passed challenge lets the right password in; onChallenge answers a refusal', async () => {
    const axes = createAxes({
      handler: memoryHandler(),
      logger: false,
      lockoutParameters: ['username'],
      failureLimit: LIMIT,
      challenges: challenges({ after: 1 }),
    })
    const app = express()
    app.use(express.urlencoded({ extended: false }))
    app.post(
      '/login',
      expressLogin(axes, (c) => checker().verify(c.username, c.password), {
        verifyChallenge: (req) => passedIn(req.body),
        onChallenge: (_req, res, _next, decision) => {
          res.status(403).send(`show the challenge (${decision.remaining} left)`)
        },
      }),
      (_req, res) => {
        res.send('welcome')
      },
    )
    const started = await listenNode(app.listen(0, '127.0.0.1'))
    try {
      const first = await post(started.base, WRONG, JSON_CLIENT)
      // The failure that reaches `after` tells a JSON client to show the challenge.
      expect(await first.json()).toEqual({
        error: 'Invalid username or password.',
        remaining: LIMIT - 1,
        challenge: 'required',
      })
      const refused = await post(started.base, RIGHT)
      expect(refused.status).toBe(403)
      expect(await refused.text()).toBe(`show the challenge (${LIMIT - 1} left)`)
      const ok = await post(started.base, { ...RIGHT, captcha: 'passed' })
      expect(ok.status).toBe(200)
      expect(await ok.text()).toBe('welcome')
    } finally {
      await started.close()
    }
  })
})

for (const [title, create] of HANDLERS) {
  if (create === null) {
    describe.skip(`challenges on ${title}: no server (apt-get install postgresql mariadb-server redis-server)`, () => {
      it('needs a server', () => {})
    })
    continue
  }
  describe(`challenges on ${title}`, () => {
    it('Express, protectLogin: the whole flow', async () => {
      const handler = await create()
      try {
        await playFlow(APPS[0] as ChallengeApp, handler)
      } finally {
        await handler.close?.()
      }
    })
  })
}
