/**
 * The admin mounted in Fastify (fastifyAdmin from node-axes/admin), through real HTTP: the cases of
 * test/admin/mount-scenarios.ts.
 */

import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { fastifyAdmin } from 'node-axes/admin'
import { BASE, describeAdminMounts } from '../../admin/mount-scenarios.js'

describeAdminMounts([
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
])
