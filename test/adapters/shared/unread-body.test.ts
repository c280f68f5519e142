// A login whose body nothing parsed (the README quickstart given JSON it had no parser for) was
// counted under an empty username: every attempt locked the empty username for the IP, and the
// password check could never succeed. Every adapter's protectLogin now refuses it with 400,
// uncounted, and says why once (axes.W015); a parsed body without the username field says so once
// (axes.W016). Real HTTP through each framework.

import { serve } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { afterEach, describe, expect, it } from 'vitest'
import { protectLogin as expressLogin } from '../../../src/adapters/express/index.js'
import { protectLogin as fastifyLogin } from '../../../src/adapters/fastify/index.js'
import { protectLogin as honoLogin } from '../../../src/adapters/hono/index.js'
import { protectLogin as koaLogin } from '../../../src/adapters/koa/index.js'
import { protectLogin as webLogin } from '../../../src/adapters/web/index.js'
import { type Axes, createAxes } from '../../../src/index.js'
import { listenNode } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

type Verify = (c: { username: string; password: string }) => string | null

interface Framework {
  name: string
  /** Starts an app whose login route parses no body at all. */
  start(axes: Axes, verify: Verify): Promise<StartedApp>
  /** A body this app does not parse, as a fetch body and its content type. */
  unread: { type: string; body: string }
}

const JSON_LOGIN = { type: 'application/json', body: '{"username":"alice","password":"nope"}' }
const TEXT_LOGIN = { type: 'text/plain', body: 'username=alice&password=nope' }
const ok = (user: string) => `Welcome, ${user}.`

/** A logger that keeps the warnings. */
const warningsInto = (warnings: string[]) => ({
  info: () => {},
  warn: (line: unknown) => {
    warnings.push(logText(line))
  },
  error: () => {},
})

const FRAMEWORKS: Framework[] = [
  {
    name: 'Express without express.json()',
    unread: JSON_LOGIN,
    start: async (axes, verify) => {
      const app = express()
      app.post('/login', expressLogin(axes, verify), (_req, res) => {
        res.send(ok('alice'))
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Koa without a body parser',
    unread: JSON_LOGIN,
    start: async (axes, verify) => {
      const app = new Koa()
      const login = koaLogin(axes, verify)
      app.use(async (ctx, next) => {
        if (ctx.path !== '/login') return next()
        await login(ctx, async () => {
          ctx.body = ok('alice')
        })
      })
      return listenNode(app.listen(0, '127.0.0.1'))
    },
  },
  {
    name: 'Fastify (text/plain, kept as a string)',
    unread: TEXT_LOGIN,
    start: async (axes, verify) => {
      // Fastify answers 415 to a type it has no parser for, and keeps text/plain as a string.
      const app = Fastify()
      const login = fastifyLogin(axes, verify)
      app.post('/login', async (request, reply) => {
        const answer = await login(request, reply)
        if (reply.sent) return answer
        return ok('alice')
      })
      await app.listen({ port: 0, host: '127.0.0.1' })
      const address = app.server.address() as { port: number }
      return { base: `http://127.0.0.1:${address.port}`, close: () => app.close() }
    },
  },
  {
    name: 'Hono (a content type protectLogin does not read)',
    unread: TEXT_LOGIN,
    start: async (axes, verify) => {
      const app = new Hono()
      app.post('/login', honoLogin(axes, verify), (c) => c.text(ok('alice')))
      return listenNode(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as never)
    },
  },
  {
    name: 'node-axes/web (a content type protectLogin does not read)',
    unread: TEXT_LOGIN,
    start: async (axes, verify) => {
      const login = webLogin(axes, verify, {
        clientAddress: () => '127.0.0.1',
        onSuccess: () => new Response(ok('alice')),
      })
      return listenNode(serve({ fetch: login, port: 0, hostname: '127.0.0.1' }) as never)
    },
  },
]

describe.each(FRAMEWORKS)('$name', (framework) => {
  let app: StartedApp | null = null
  afterEach(async () => {
    await app?.close()
    app = null
  })

  async function started(usernameFormField?: string) {
    const warnings: string[] = []
    const axes = createAxes({
      handler: 'memory',
      failureLimit: 3,
      cooloffTime: '1m',
      ...(usernameFormField ? { usernameFormField } : {}),
      logger: warningsInto(warnings),
    })
    let checks = 0
    const verify: Verify = ({ username, password }) => {
      checks++
      return username === 'alice' && password === 'wonderland' ? username : null
    }
    app = await framework.start(axes, verify)
    return { axes, warnings, checks: () => checks, base: app.base }
  }

  it('refuses a login body nothing parsed with 400, uncounted, and says why once (axes.W015)', async () => {
    const { axes, warnings, checks, base } = await started()
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': framework.unread.type },
        body: framework.unread.body,
      })
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('Login not read')
    }
    expect(checks()).toBe(0)
    expect(await axes.listAttempts()).toEqual([])
    const w015 = warnings.filter((line) => line.startsWith('axes.W015'))
    expect(w015).toHaveLength(1)
    expect(w015[0]).toContain(`(${framework.unread.type})`)
    expect(axes.check().map((c) => c.id)).toContain('axes.W015')
  })

  it('leaves a request without a body to the password check (no W015)', async () => {
    const { warnings, checks, base } = await started()
    const res = await fetch(`${base}/login`, { method: 'POST' })
    expect(res.status).toBe(401)
    expect(checks()).toBe(1)
    expect(warnings.filter((line) => line.startsWith('axes.W015'))).toEqual([])
  })
})

describe('a parsed login body without the username field (axes.W016)', () => {
  let app: StartedApp | null = null
  afterEach(async () => {
    await app?.close()
    app = null
  })

  it('is reported once, naming the fields the body had, and silent once usernameFormField matches', async () => {
    for (const field of [undefined, 'email']) {
      const warnings: string[] = []
      const axes = createAxes({
        handler: 'memory',
        logger: warningsInto(warnings),
        ...(field ? { usernameFormField: field } : {}),
      })
      const ex = express()
      ex.use(express.urlencoded({ extended: false }))
      ex.post(
        '/login',
        expressLogin(axes, ({ username, password }) =>
          username === 'alice@example.com' && password === 'wonderland' ? username : null,
        ),
        (_req, res) => {
          res.send('in')
        },
      )
      app = await listenNode(ex.listen(0, '127.0.0.1'))
      for (let i = 0; i < 3; i++) {
        await fetch(`${app.base}/login`, {
          method: 'POST',
          body: new URLSearchParams({ email: 'alice@example.com', password: 'nope' }),
        })
      }
      const w016 = warnings.filter((line) => line.startsWith('axes.W016'))
      if (field === undefined) {
        expect(w016).toHaveLength(1)
        expect(w016[0]).toContain(`no 'username' field (it had: "email", "password")`)
      } else {
        expect(w016).toEqual([])
        // The username is counted under the configured field.
        expect((await axes.listAttempts()).map((a) => a.username)).toContain('alice@example.com')
      }
      await app.close()
      app = null
    }
  })
})

/** A log call's text: the record's message (node-axes logs records), or the line itself. */
function logText(line: unknown): string {
  return typeof line === 'object' && line !== null && 'msg' in line
    ? String((line as { msg: unknown }).msg)
    : String(line)
}
