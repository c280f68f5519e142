/**
 * Auth.js on Express (`@auth/express`) with a Credentials provider, protected by node-axes.
 * In JavaScript, as Auth.js' own Express guide is written.
 *
 *   npx tsx examples/authjs-login.mjs     # then open http://localhost:3000/auth/signin
 *
 * `axesAuthorize` wraps `authorize`: a locked-out client is refused before the password check
 * with Auth.js' `CredentialsSignin`, whose code (`locked_out`) Auth.js puts on its redirect to the
 * sign-in page (`?error=CredentialsSignin&code=locked_out`) and hands `signIn(…, { redirect:
 * false })` as `code`.
 */

import { ExpressAuth } from '@auth/express'
import Credentials from '@auth/express/providers/credentials'
import express from 'express'
import { createAxes } from 'node-axes'
import { axesAuthorize } from 'node-axes/authjs'
import { exampleOptions, isMain, verifyUser } from './demo.js'

/**
 * The header the server sets from the socket address: Auth.js hands `authorize` a Web `Request`,
 * without the socket. Whatever a client sends under this name is overwritten.
 */
const CLIENT_IP = 'x-client-ip'

/**
 * The example's Express app with Auth.js around a node-axes instance (`axes`); `verify` is the
 * password check (the demo users by default; tests pass one that counts its calls).
 *
 * @param {import('node-axes').Axes} axes
 * @param {(username: unknown, password: unknown) => string | null | Promise<string | null>} verify
 */
export function createApp(axes, verify = verifyUser) {
  const app = express()
  app.use((req, _res, next) => {
    req.headers[CLIENT_IP] = req.socket.remoteAddress ?? ''
    next()
  })
  app.use(
    '/auth',
    ExpressAuth({
      secret: process.env.AUTH_SECRET ?? 'example-secret-change-me-example-secret-change-me',
      trustHost: true,
      logger: { error: () => {}, warn: () => {} },
      providers: [
        Credentials({
          credentials: { username: { label: 'Username' }, password: { type: 'password' } },
          authorize: axesAuthorize(
            axes,
            async ({ username, password }) => {
              const user = await verify(username, password)
              return user ? { id: user, name: user } : null
            },
            { clientAddress: (request) => request.headers.get(CLIENT_IP) },
          ),
        }),
      ],
    }),
  )
  app.get('/', (_req, res) => {
    res.type('html').send('<a href="/auth/signin">Sign in</a> (alice / wonderland)')
  })
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp(createAxes({ ...exampleOptions, logger: console })).listen(port, () => {
    console.log(`node-axes Auth.js example: http://localhost:${port}/auth/signin`)
  })
}
