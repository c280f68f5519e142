/**
 * A login page on Fastify, protected by node-axes.
 *
 *   npx tsx examples/fastify-login.ts      # then open http://localhost:3000
 *
 * `axesPlugin` decorates `fastify.axes` and `request.axes`; the `protectLogin` preHandler
 * reserves an attempt, calls the password check only for a client that is not locked out, records
 * the outcome and answers a lockout with the lockout page (JSON for `fetch` clients).
 */

import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance } from 'fastify'
import { type Axes, createAxes } from 'node-axes'
import { axesPlugin, protectLogin } from 'node-axes/fastify'
import {
  exampleOptions,
  isMain,
  loginPage,
  verifyUser,
  welcomePage,
  wrongPassword,
} from './demo.js'

/** The example's Fastify app around a node-axes instance. */
export async function createApp(axes: Axes): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 16 * 1024 })
  await app.register(formbody)
  await app.register(axesPlugin, { axes })

  app.get('/', async (_request, reply) => reply.type('text/html').send(loginPage()))
  app.post(
    '/login',
    {
      preHandler: protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
        onFailure: (_request, reply, decision) =>
          reply
            .code(401)
            .type('text/html')
            .send(loginPage(wrongPassword(decision.remaining))),
      }),
    },
    async (request, reply) => {
      const login = request.axesLogin
      return reply.type('text/html').send(welcomePage(login?.ok ? String(login.user) : ''))
    },
  )
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const app = await createApp(createAxes({ ...exampleOptions, logger: console }))
  await app.listen({ port })
  console.log(`node-axes Fastify example: http://localhost:${port}`)
}
