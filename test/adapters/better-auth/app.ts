/**
 * The better-auth app the tests start: email and username sign-in on better-auth's SQLite database
 * (node:sqlite, a file in a temporary folder), node-axes' plugin, served by `node:http` through
 * better-auth's `toNodeHandler`, the client address passed from the socket.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { toNodeHandler } from 'better-auth/node'
import { username } from 'better-auth/plugins'
import { axesPlugin } from '../../../src/adapters/better-auth/index.js'
import type { Axes } from '../../../src/index.js'
import type { StartedApp } from '../shared/scenarios.js'

/** The header the server sets from the socket address, overwriting any a client sends. */
const CLIENT_IP = 'x-axes-client-ip'

/** The demo user: alice@example.com, username alice, password wonderland. */
export const ALICE = { email: 'alice@example.com', username: 'alice', password: 'wonderland' }

/** A started better-auth app, with the count of password checks it made. */
export interface BetterAuthApp extends StartedApp {
  /** How many times better-auth verified a password. */
  checks: () => number
  /** better-auth's server-side API. */
  api: { signInEmail(input: { body: object; headers: Headers }): Promise<unknown> }
}

/** Starts better-auth with `axes` on a fresh SQLite database. */
export async function startBetterAuth(axes: Axes): Promise<BetterAuthApp> {
  const folder = mkdtempSync(join(tmpdir(), 'axes-better-auth-'))
  const database = new DatabaseSync(join(folder, 'auth.sqlite3'))
  let checks = 0
  const auth = betterAuth({
    database,
    secret: 'a-test-secret-that-is-long-enough-for-better-auth-0123456789',
    baseURL: 'http://127.0.0.1',
    logger: { disabled: true },
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      password: {
        // better-auth's own scrypt, counted: each call is one password check.
        hash: async (password) => `plain:${password}`,
        verify: async ({ hash, password }) => {
          checks++
          await new Promise((resolve) => setTimeout(resolve, 2))
          return hash === `plain:${password}`
        },
      },
    },
    plugins: [
      username(),
      axesPlugin(axes, { clientAddress: (_request, headers) => headers?.get(CLIENT_IP) }),
    ],
  })
  const { runMigrations } = await getMigrations(auth.options)
  await runMigrations()
  await auth.api.signUpEmail({
    body: { email: ALICE.email, password: ALICE.password, name: 'Alice', username: ALICE.username },
  })
  checks = 0
  const handler = toNodeHandler(auth)
  const server = createServer((req: IncomingMessage, res) => {
    req.headers[CLIENT_IP] = req.socket.remoteAddress ?? ''
    void handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    base: `http://127.0.0.1:${port}`,
    checks: () => checks,
    api: auth.api as unknown as BetterAuthApp['api'],
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      database.close()
      rmSync(folder, { recursive: true, force: true })
    },
  }
}
