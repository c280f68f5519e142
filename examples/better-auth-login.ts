/**
 * better-auth's email and username sign-in on its SQLite database, protected by node-axes.
 *
 *   npx tsx examples/better-auth-login.ts
 *   curl -i localhost:3000/api/auth/sign-in/email -H 'content-type: application/json' \
 *     -d '{"email":"alice@example.com","password":"nope"}'
 *
 * `axesPlugin` reserves an attempt before better-auth checks the password, for the identity
 * better-auth verifies (the email lower-cased, the username normalised), and answers a lockout
 * with better-auth's `APIError`: 429 `{ code: 'ACCOUNT_LOCKED_OUT', message }` with `Retry-After`.
 * The database is ./better-auth.sqlite3 (`AUTH_DATABASE` to change it); the demo users are
 * alice@example.com / alice / wonderland and bob@example.com / bob / bob-the-builder (better-auth asks for 8 characters at least).
 */

import { createServer, type Server } from 'node:http'
import { DatabaseSync } from 'node:sqlite'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { toNodeHandler } from 'better-auth/node'
import { username } from 'better-auth/plugins'
import { type Axes, createAxes } from 'node-axes'
import { axesPlugin } from 'node-axes/better-auth'
import { exampleOptions, isMain } from './demo.js'

/**
 * The header the server sets from the socket address before better-auth runs: better-auth sees a
 * Web `Request`, without the socket. Whatever a client sends under this name is overwritten.
 */
const CLIENT_IP = 'x-client-ip'

/** The demo users. */
const USERS = [
  { email: 'alice@example.com', username: 'alice', name: 'Alice', password: 'wonderland' },
  { email: 'bob@example.com', username: 'bob', name: 'Bob', password: 'bob-the-builder' },
]

/** The example's better-auth instance around a node-axes instance, on a SQLite file. */
export async function createAuth(axes: Axes, file = 'better-auth.sqlite3') {
  const auth = betterAuth({
    database: new DatabaseSync(file),
    baseURL: 'http://localhost:3000',
    secret: process.env.BETTER_AUTH_SECRET ?? 'example-secret-change-me-example-secret-change-me',
    emailAndPassword: { enabled: true },
    plugins: [
      username(),
      axesPlugin(axes, { clientAddress: (_request, headers) => headers?.get(CLIENT_IP) }),
    ],
  })
  const { runMigrations } = await getMigrations(auth.options)
  await runMigrations()
  for (const user of USERS) {
    await auth.api.signUpEmail({ body: user }).catch((error: { body?: { code?: string } }) => {
      // Signed up on an earlier run.
      if (!error.body?.code?.startsWith('USER_ALREADY_EXISTS')) throw error
    })
  }
  return auth
}

/** A `node:http` server for `auth`, passing the client address from the socket. */
export function createApp(auth: Awaited<ReturnType<typeof createAuth>>): Server {
  const handler = toNodeHandler(auth)
  return createServer((req, res) => {
    req.headers[CLIENT_IP] = req.socket.remoteAddress ?? ''
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end('Internal error.')
    })
  })
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const axes = createAxes({ ...exampleOptions, logger: console })
  const auth = await createAuth(axes, process.env.AUTH_DATABASE ?? 'better-auth.sqlite3')
  createApp(auth).listen(port, () => {
    console.log(
      `node-axes better-auth example: POST http://localhost:${port}/api/auth/sign-in/email`,
    )
  })
}
