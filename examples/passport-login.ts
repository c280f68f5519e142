/**
 * A login page on Express with Passport's local strategy, guarded by node-axes.
 *
 *   npx tsx examples/passport-login.ts     # then open http://localhost:3000
 *
 * `axesStrategy` wraps the strategy: a locked-out client is answered with the lockout page before
 * the strategy runs, and the strategy's failures and successes are recorded.
 */

import express from 'express'
import { type Axes, createAxes } from 'node-axes'
import { axesStrategy } from 'node-axes/passport'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { exampleOptions, isMain, loginPage, verifyUser, welcomePage } from './demo.js'

/**
 * The example's Express app with Passport around a node-axes instance; `check` is the password
 * check (the demo's `verifyUser`; tests pass one that counts its calls).
 */
export function createApp(axes: Axes, check = verifyUser): express.Express {
  const passport = new Passport()
  passport.use(
    axesStrategy(
      axes,
      new LocalStrategy((username, password, done) => {
        const user = check(username, password)
        done(null, user ? { username: user } : false)
      }),
    ),
  )
  const app = express()
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(passport.initialize())
  app.get('/', (_req, res) => {
    res.type('html').send(loginPage())
  })
  app.get('/retry', (_req, res) => {
    res.status(401).type('html').send(loginPage('Wrong username or password.'))
  })
  app.post(
    '/login',
    passport.authenticate('local', { session: false, failureRedirect: '/retry' }),
    (req, res) => {
      res.type('html').send(welcomePage((req.user as { username: string }).username))
    },
  )
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp(createAxes({ ...exampleOptions, logger: console })).listen(port, () => {
    console.log(`node-axes Passport example: http://localhost:${port}`)
  })
}
