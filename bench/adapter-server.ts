/**
 * One login app for `npm run bench -- --adapters`, run in its own process so that the load
 * generator does not share its event loop: `tsx bench/adapter-server.ts
 * <express|fastify|koa|hono> <bare|memory|sqlite|express-rate-limit> <dir>`. It tells the parent
 * its port over IPC.
 *
 * `POST /login` parses a urlencoded body and checks the password (verifier `map`, the default:
 * against a map, no hashing, so that node-axes' share of the time is as large as it can be;
 * verifier `scrypt`: against a stored scrypt hash with Node's default cost, N = 16384, r = 8, p =
 * 1, as a real login route does): 200 for `alice`/`wonderland`, 401 otherwise. `bare` is the route alone; `memory` and `sqlite` guard it with `protectLogin` and
 * lockoutParameters [['username', 'ip_address']], so that each new username is a new client.
 * `express-rate-limit` (Express only) is the bare route behind express-rate-limit's middleware
 * with its defaults (memory store, one key per IP, its headers) and a limit never reached: the
 * contender node-axes is compared with on Express.
 *
 * node-axes is loaded from the build (dist/), as an application loads it: tsx compiles with
 * esbuild's keepNames, which wraps every closure in a naming call and would be measured too.
 */

import { scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import formbody from '@fastify/formbody'
import { serve } from '@hono/node-server'
import { bodyParser } from '@koa/bodyparser'
import express from 'express'
import { rateLimit } from 'express-rate-limit'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import type { LoginCredentials } from '../src/adapters/shared/login.js'
import type { Axes } from '../src/index.js'

const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url).href
const { createAxes } = (await import(dist('index.js'))) as typeof import('../src/index.js')
const { databaseHandler } = (await import(
  dist('database/index.js')
)) as typeof import('../src/handlers/database/index.js')
const { protectLogin: expressProtect } = (await import(
  dist('express/index.js')
)) as typeof import('../src/adapters/express/index.js')
const { protectLogin: fastifyProtect } = (await import(
  dist('fastify/index.js')
)) as typeof import('../src/adapters/fastify/index.js')
const { protectLogin: koaProtect } = (await import(
  dist('koa/index.js')
)) as typeof import('../src/adapters/koa/index.js')
const { protectLogin: honoProtect } = (await import(
  dist('hono/index.js')
)) as typeof import('../src/adapters/hono/index.js')

const [framework, mode, dir, verifier] = process.argv.slice(2)
const USERS = new Map([['alice', 'wonderland']])
const SALT = Buffer.from('node-axes-bench-salt')
const HASHES = new Map([['alice', scryptSync('wonderland', SALT, 32)]])
// Unknown usernames are hashed too, so that they take as long as known ones.
const NOBODY = scryptSync('', SALT, 32)
const hashed = (username: string, password: string) =>
  new Promise<string | null>((resolve, reject) => {
    scrypt(password, SALT, 32, (error, key) => {
      if (error) return reject(error)
      const known = HASHES.get(username)
      resolve(timingSafeEqual(key, known ?? NOBODY) && known ? username : null)
    })
  })
const check = (username: string, password: string): string | null | Promise<string | null> =>
  verifier === 'scrypt'
    ? hashed(username, password)
    : USERS.get(username) === password
      ? username
      : null

function axesFor(): Axes | null {
  if (mode === 'bare' || mode === 'express-rate-limit') return null
  return createAxes({
    handler:
      mode === 'sqlite'
        ? databaseHandler({ url: `sqlite:${join(dir ?? '.', 'axes.sqlite3')}` })
        : 'memory',
    lockoutParameters: [['username', 'ip_address']],
    failureLimit: 1_000_000_000,
    cooloffTime: '1h',
    logger: false,
  })
}

async function start(): Promise<number> {
  const axes = axesFor()
  const verify = ({ username, password }: LoginCredentials) => check(username, password)
  if (framework === 'express') {
    const app = express()
    app.use(express.urlencoded({ extended: false }))
    if (axes) {
      app.post('/login', expressProtect(axes, verify), (_req, res) => {
        res.send('welcome')
      })
    } else {
      if (mode === 'express-rate-limit') {
        app.use('/login', rateLimit({ windowMs: 60 * 60_000, limit: 1_000_000_000 }))
      }
      app.post('/login', async (req, res) => {
        const body = req.body as Record<string, unknown>
        const user = await check(String(body.username ?? ''), String(body.password ?? ''))
        if (user) res.send('welcome')
        else res.status(401).send('Invalid username or password.')
      })
    }
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    return (server.address() as { port: number }).port
  }
  if (framework === 'koa') return koaApp(axes, verify)
  if (framework === 'hono') return honoApp(axes, verify)
  const app = Fastify()
  await app.register(formbody)
  if (axes) {
    app.post('/login', { preHandler: fastifyProtect(axes, verify) }, async () => 'welcome')
  } else {
    app.post('/login', async (request, reply) => {
      const body = request.body as Record<string, unknown>
      const user = await check(String(body.username ?? ''), String(body.password ?? ''))
      if (user) return 'welcome'
      return reply.code(401).send('Invalid username or password.')
    })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
}

type Verify = (credentials: LoginCredentials) => string | null | Promise<string | null>

/** Koa: @koa/bodyparser, the route as a middleware on POST /login. */
async function koaApp(axes: Axes | null, verify: Verify): Promise<number> {
  const app = new Koa()
  app.use(bodyParser())
  const guard = axes ? koaProtect(axes, verify) : null
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/login') return next()
    if (guard) {
      return guard(ctx, async () => {
        ctx.body = 'welcome'
      })
    }
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {}
    const user = await check(String(body.username ?? ''), String(body.password ?? ''))
    if (user) ctx.body = 'welcome'
    else {
      ctx.status = 401
      ctx.body = 'Invalid username or password.'
    }
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  return (server.address() as { port: number }).port
}

/** Hono on @hono/node-server: the bare route parses the form with `c.req.parseBody()`. */
async function honoApp(axes: Axes | null, verify: Verify): Promise<number> {
  const app = new Hono()
  if (axes) {
    app.post('/login', honoProtect(axes, verify), (c) => c.text('welcome'))
  } else {
    app.post('/login', async (c) => {
      const body = await c.req.parseBody()
      const user = await check(String(body.username ?? ''), String(body.password ?? ''))
      if (user) return c.text('welcome')
      return c.text('Invalid username or password.', 401)
    })
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  return (server.address() as { port: number }).port
}

const port = await start()
process.send?.({ port })
// The parent asks for this process' CPU time around each measurement.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() })
})
