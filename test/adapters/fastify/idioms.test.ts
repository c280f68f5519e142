// Fastify's own idioms: a route turns login protection on in its `config` (the plugin adds
// protectLogin as its first preHandler), and `fastify.close()` closes what node-axes opened (the
// store's connections and files) through the plugin's onClose hook. Real HTTP, a real SQLite file.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { axesPlugin } from '../../../src/adapters/fastify/index.js'
import { databaseHandler } from '../../../src/handlers/database/index.js'
import { createAxes } from '../../../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'axes-fastify-idioms-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const check = ({ username, password }: { username: string; password: string }) =>
  username === 'alice' && password === 'wonderland' ? { name: username } : null

async function listening(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return `http://127.0.0.1:${port}`
}

const post = (base: string, path: string, password: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: 'alice', password }),
  })

describe('Fastify idioms', () => {
  let app: FastifyInstance | null = null
  afterEach(async () => {
    await app?.close()
    app = null
  })

  it('protects the routes whose config sets axesLogin, with the plugin verify or their own, and leaves others alone', async () => {
    const axes = createAxes({
      handler: 'memory',
      failureLimit: 2,
      cooloffTime: '1m',
      logger: false,
    })
    let routeChecks = 0
    app = Fastify()
    await app.register(formbody)
    await app.register(axesPlugin, { axes, verify: check })
    app.post('/login', { config: { axesLogin: true } }, async (request) => {
      const login = request.axesLogin
      return { welcome: login?.ok ? (login.user as { name: string }).name : null }
    })
    app.post(
      '/api/token',
      {
        config: {
          axesLogin: {
            verify: (credentials) => {
              routeChecks++
              return check(credentials)
            },
          },
        },
      },
      async () => 'token',
    )
    app.post('/open', async () => 'not a login')
    const base = await listening(app)

    expect(await (await post(base, '/login', 'wonderland')).json()).toEqual({ welcome: 'alice' })
    expect((await post(base, '/login', 'nope')).status).toBe(401)
    expect((await post(base, '/login', 'nope')).status).toBe(429)
    expect((await post(base, '/login', 'wonderland')).status).toBe(429)
    // The route's own verify, on the same client: locked out too (one pair), never checked.
    expect((await post(base, '/api/token', 'wonderland')).status).toBe(429)
    expect(routeChecks).toBe(0)
    // A route without the config is not a login.
    const open = await post(base, '/open', 'nope')
    expect(open.status).toBe(200)
    expect(await open.text()).toBe('not a login')
  })

  it('refuses, when the route is added, a config.axesLogin without any verify', async () => {
    const axes = createAxes({ handler: 'memory', logger: false })
    app = Fastify()
    await app.register(axesPlugin, { axes })
    expect(() => app?.post('/login', { config: { axesLogin: true } }, async () => 'x')).toThrow(
      /sets config.axesLogin, but neither it nor axesPlugin gives a verify function/,
    )
  })

  it('closes the node-axes instance with the server, unless closeWithServer is false', async () => {
    for (const closeWithServer of [true, false]) {
      // A real SQLite handler, its close counted.
      const handler = databaseHandler({
        url: `sqlite:///${join(dir, `close-${closeWithServer}.sqlite3`)}`,
      })
      let closed = 0
      const close = handler.close?.bind(handler)
      handler.close = async () => {
        closed++
        await close?.()
      }
      const axes = createAxes({ handler, logger: false })
      const server = Fastify()
      await server.register(axesPlugin, { axes, closeWithServer })
      await server.ready()
      await axes.reset()
      await server.close()
      expect(closed).toBe(closeWithServer ? 1 : 0)
      await axes.close()
    }
  })
})
