/**
 * A login page on Koa, protected by node-axes.
 *
 *   npx tsx examples/koa-login.ts          # then open http://localhost:3000
 *
 * `protectLogin` reserves an attempt, calls the password check only for a client that is not
 * locked out, records the outcome and answers a lockout with the lockout page (JSON for `fetch`
 * clients).
 */

import { bodyParser } from '@koa/bodyparser'
import Koa from 'koa'
import { type Axes, createAxes } from 'node-axes'
import { axesMiddleware, protectLogin } from 'node-axes/koa'
import {
  exampleOptions,
  isMain,
  loginPage,
  verifyUser,
  welcomePage,
  wrongPassword,
} from './demo.js'

/** The example's Koa app around a node-axes instance. */
export function createApp(axes: Axes): Koa {
  const app = new Koa()
  app.use(bodyParser({ formLimit: '16kb', jsonLimit: '16kb' }))
  app.use(axesMiddleware(axes))
  const login = protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
    onFailure: (ctx, decision) => {
      ctx.status = 401
      ctx.type = 'html'
      ctx.body = loginPage(wrongPassword(decision.remaining))
    },
  })
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/') {
      ctx.type = 'html'
      ctx.body = loginPage()
      return
    }
    if (ctx.method === 'POST' && ctx.path === '/login') {
      return login(ctx, async () => {
        ctx.type = 'html'
        ctx.body = welcomePage(String(ctx.state.axesLogin.user))
      })
    }
    return next()
  })
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp(createAxes({ ...exampleOptions, logger: console })).listen(port, () => {
    console.log(`node-axes Koa example: http://localhost:${port}`)
  })
}
