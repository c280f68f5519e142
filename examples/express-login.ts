/**
 * A login page on Express, protected by node-axes.
 *
 *   npx tsx examples/express-login.ts      # then open http://localhost:3000
 *
 * `protectLogin` reserves an attempt, calls the password check only for a client that is not
 * locked out, records the outcome and answers a lockout with the lockout page (JSON for `fetch`
 * clients). Wrong passwords re-render the form with the attempts left.
 */

import express from 'express'
import { type Axes, createAxes } from 'node-axes'
import { axesMiddleware, protectLogin } from 'node-axes/express'
import {
  exampleOptions,
  isMain,
  loginPage,
  verifyUser,
  welcomePage,
  wrongPassword,
} from './demo.js'

/**
 * The example's Express app around a node-axes instance. `verify` is the password check: the demo
 * users by default (examples/redis-postgres.ts passes one that reads PostgreSQL).
 */
export function createApp(
  axes: Axes,
  verify: (
    username: string,
    password: string,
  ) => string | null | Promise<string | null> = verifyUser,
): express.Express {
  const app = express()
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(express.json({ limit: '16kb' }))
  app.use(axesMiddleware(axes))

  app.get('/', (_req, res) => {
    res.type('html').send(loginPage())
  })
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => verify(username, password), {
      onFailure: (_req, res, _next, decision) => {
        res
          .status(401)
          .type('html')
          .send(loginPage(wrongPassword(decision.remaining)))
      },
    }),
    (_req, res) => {
      res.type('html').send(welcomePage(String(res.locals.axesLogin.user)))
    },
  )
  app.use(shortErrors)
  return app
}

/** Body-parser errors (malformed JSON, a body too large) as short answers, never a stack trace. */
export function shortErrors(
  error: { status?: number },
  _req: express.Request,
  res: express.Response,
  _next: express.NextFunction,
): void {
  const status = typeof error.status === 'number' && error.status < 500 ? error.status : 500
  res
    .status(status)
    .type('text')
    .send(status === 500 ? 'Internal error.' : 'Bad request.')
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp(createAxes({ ...exampleOptions, logger: console })).listen(port, () => {
    console.log(`node-axes Express example: http://localhost:${port}`)
  })
}
