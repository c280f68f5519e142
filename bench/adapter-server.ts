/**
 * One login app for `npm run bench -- --adapters`, run in its own process so that the load
 * generator does not share its event loop: `tsx bench/adapter-server.ts <express|fastify>
 * <bare|memory|sqlite> <dir>`. It tells the parent its port over IPC.
 *
 * `POST /login` parses a urlencoded body and checks the password (verifier `map`, the default:
 * against a map, no hashing, so that node-axes' share of the time is as large as it can be;
 * verifier `scrypt`: against a stored scrypt hash with Node's default cost, N = 16384, r = 8, p =
 * 1, as a real login route does): 200 for `alice`/`wonderland`, 401 otherwise. `bare` is the route alone; `memory` and `sqlite` guard it with `protectLogin` and
 * lockoutParameters [['username', 'ip_address']], so that each new username is a new client.
 *
 * node-axes is loaded from the build (dist/), as an application loads it: tsx compiles with
 * esbuild's keepNames, which wraps every closure in a naming call and would be measured too.
 */

import { scrypt, scryptSync, timingSafeEqual } from 'node:crypto'
import { join } from 'node:path'
import formbody from '@fastify/formbody'
import express from 'express'
import Fastify from 'fastify'
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
  if (mode === 'bare') return null
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

const port = await start()
process.send?.({ port })
// The parent asks for this process' CPU time around each measurement.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() })
})
