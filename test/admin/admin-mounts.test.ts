// The admin mounted in Express, Fastify, Koa and Hono, through real HTTP: a page, the CSRF-protected
// delete (urlencoded forms read whether or not the application parses bodies itself), and the
// application's own routes left alone.

import { createServer, request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import Koa from 'koa'
import { type Axes, createAxes } from 'node-axes'
import {
  type AdminHandler,
  createAdminHandler,
  expressAdmin,
  fastifyAdmin,
  honoAdmin,
  koaAdmin,
} from 'node-axes/admin'
import { afterEach, describe, expect, it } from 'vitest'
import { BASE, Client, DEMO_COOKIE, fail, selectedIds } from './support.js'

type Started = { url: string; close: () => Promise<void> }

async function listen(server: Server): Promise<Started> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const MOUNTS: { name: string; start: (admin: AdminHandler) => Promise<Started> }[] = [
  {
    name: 'Express (with a body parser of its own)',
    start: (admin) => {
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(BASE, expressAdmin(admin))
      app.get('/', (_req, res) => {
        res.send('the app')
      })
      return listen(createServer(app))
    },
  },
  {
    name: 'Express (without one)',
    start: (admin) => {
      const app = express()
      app.use(BASE, expressAdmin(admin))
      app.get('/', (_req, res) => {
        res.send('the app')
      })
      return listen(createServer(app))
    },
  },
  {
    name: 'Fastify',
    start: async (admin) => {
      const app = Fastify()
      app.get('/', async () => 'the app')
      await app.register(fastifyAdmin(admin), { prefix: BASE })
      await app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.server.address() as AddressInfo
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
    },
  },
  {
    name: 'Fastify (parsing forms itself, as @fastify/formbody does)',
    start: async (admin) => {
      const app = Fastify()
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      )
      app.get('/', async () => 'the app')
      await app.register(fastifyAdmin(admin), { prefix: BASE })
      await app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.server.address() as AddressInfo
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() }
    },
  },
  {
    name: 'Koa',
    start: (admin) => {
      const app = new Koa()
      app.use(koaAdmin(admin, BASE))
      app.use((ctx) => {
        ctx.body = 'the app'
      })
      return listen(createServer(app.callback()))
    },
  },
  {
    name: 'Hono',
    start: (admin) => {
      const app = new Hono()
      app.get('/', (c) => c.text('the app'))
      app.all(BASE, honoAdmin(admin))
      app.all(`${BASE}/*`, honoAdmin(admin))
      // Hono on node:http as applications run it (@hono/node-server).
      const server = createServer(getRequestListener(app.fetch))
      return listen(server)
    },
  },
]

describe.each(MOUNTS)('admin mounted in $name', ({ start }) => {
  let axes: Axes
  let started: Started

  afterEach(async () => {
    await started?.close()
    await axes?.close()
  })

  it('serves the pages, deletes with a CSRF token, and leaves the app alone', async () => {
    axes = createAxes({ handler: 'memory', failureLimit: 3 })
    await fail(axes, { ip: '203.0.113.7', username: 'alice' }, 3)
    await fail(axes, { ip: '198.51.100.2', username: 'bob' }, 1)
    const admin = createAdminHandler({
      axes,
      basePath: BASE,
      authorize: (request) => (request.headers.get('cookie') ?? '').includes(DEMO_COOKIE),
    })
    started = await start(admin)
    const client = new Client(started.url)

    const list = await client.get(`${BASE}/attempts?q=203.0`)
    expect(list.status).toBe(200)
    expect(list.response.headers.get('content-type')).toContain('text/html')
    expect(list.response.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(list.text).toContain('203.0.113.7')
    expect(list.response.headers.getSetCookie().join()).toContain('SameSite=Strict')
    const ids = selectedIds(list.text)
    expect(ids).toHaveLength(1)

    const refused = await client.post(`${BASE}/attempts/delete`, [
      ['id', ids[0] as string],
      ['confirm', 'yes'],
    ])
    expect(refused.status).toBe(403)
    const done = await client.post(`${BASE}/attempts/delete`, [
      ['id', ids[0] as string],
      ['csrf', Client.token(list.text)],
      ['confirm', 'yes'],
    ])
    expect(done.status).toBe(303)
    expect(done.response.headers.get('location')).toBe(`${BASE}/attempts?done=deleted%3A1`)
    const after = await client.get(done.response.headers.get('location') as string)
    expect(after.text).toContain('1 attempt removed.')
    expect(after.text).not.toContain('203.0.113.7')
    expect(after.text).toContain('198.51.100.2')

    const anonymous = new Client(started.url)
    anonymous.cookies.clear()
    expect((await anonymous.get(`${BASE}/`)).status).toBe(403)
    expect((await anonymous.get('/')).text).toBe('the app')
    expect((await client.get(`${BASE}/`)).text).toContain('Failures over time')
  })
})

/** One raw HTTP/1.1 request (fetch refuses TRACE): its status. */
function rawStatus(url: string, method: string, path: string, host?: string): Promise<number> {
  const { port } = new URL(url)
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        setHost: host === undefined,
        headers: host === undefined ? {} : { host },
      },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
      },
    )
    // A connection the server closes without an answer counts as no clean answer.
    request.on('error', () => resolve(-1))
    request.end()
  })
}

describe.each(MOUNTS)('admin mounted in $name, odd methods and malformed requests', ({ start }) => {
  let axes: Axes
  let started: Started

  afterEach(async () => {
    await started?.close()
    await axes?.close()
  })

  it('answers a clean 4xx before authorize, never a 500', async () => {
    axes = createAxes({ handler: 'memory' })
    let authorizations = 0
    const admin = createAdminHandler({
      axes,
      basePath: BASE,
      authorize: () => {
        authorizations++
        return false
      },
    })
    started = await start(admin)
    const statuses: Record<string, number> = {}
    for (const method of ['TRACE', 'TRACK', 'PROPFIND', 'PURGE']) {
      statuses[method] = await rawStatus(started.url, method, `${BASE}/`)
    }
    statuses['bad host'] = await rawStatus(started.url, 'GET', `${BASE}/`, '[::1')
    statuses['bad host, POST'] = await rawStatus(
      started.url,
      'POST',
      `${BASE}/attempts/delete`,
      'a b',
    )
    // Every answer a 4xx: the list of the others is empty.
    expect(Object.entries(statuses).filter(([, status]) => status < 400 || status >= 500)).toEqual(
      [],
    )
    // None of them reached authorize.
    expect(authorizations).toBe(0)
  })
})
