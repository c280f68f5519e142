/**
 * A login page on Hono, protected by node-axes; served here by @hono/node-server, the same app
 * runs on Bun, Deno and in a Next.js route handler (`export const POST = app.fetch`).
 *
 *   npx tsx examples/hono-login.ts         # then open http://localhost:3000
 *
 * `protectLogin` reads the body (within a size limit), reserves an attempt, calls the password
 * check only for a client that is not locked out, records the outcome and answers a lockout with
 * the lockout page (JSON for `fetch` clients).
 */

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { type Axes, createAxes } from 'node-axes'
import { type AxesVariables, protectLogin } from 'node-axes/hono'
import {
  exampleOptions,
  isMain,
  loginPage,
  verifyUser,
  welcomePage,
  wrongPassword,
} from './demo.js'

/** The example's Hono app around a node-axes instance. */
export function createApp(axes: Axes): Hono<{ Variables: AxesVariables }> {
  const app = new Hono<{ Variables: AxesVariables }>()
  app.get('/', (c) => c.html(loginPage()))
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
      bodyLimit: 16 * 1024,
      onFailure: (c, decision) => c.html(loginPage(wrongPassword(decision.remaining)), 401),
    }),
    (c) => {
      const login = c.get('axesLogin')
      return c.html(welcomePage(login.ok ? String(login.user) : ''))
    },
  )
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const app = createApp(createAxes({ ...exampleOptions, logger: console }))
  serve({ fetch: app.fetch, port }, () => {
    console.log(`node-axes Hono example: http://localhost:${port}`)
  })
}
