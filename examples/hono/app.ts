/**
 * The Hono login app of the runtime examples (examples/hono-login.ts on Node, bun.ts, deno.ts,
 * worker.ts): the demo's login page, protected by node-axes, with the peer address taken by Hono's
 * own connection-info helper for the runtime (`getConnInfo`), passed in by each entry.
 */

import { type Context, Hono } from 'hono'
import type { Axes } from 'node-axes'
import { type AxesVariables, type HonoConnInfo, protectLogin } from 'node-axes/hono'
import { loginPage, verifyUser, welcomePage, wrongPassword } from '../demo.js'

/** The login app around `axes`, counting the address `connInfo` (Hono's `getConnInfo`) reports. */
export function createHonoApp(
  axes: Axes,
  connInfo: (c: Context) => HonoConnInfo,
): Hono<{ Variables: AxesVariables }> {
  const app = new Hono<{ Variables: AxesVariables }>()
  app.get('/', (c) => c.html(loginPage()))
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
      connInfo,
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

/**
 * The example's own log lines: who was locked out or signed in, and from which address (node-axes'
 * log lines mask both; an application decides what it keeps).
 */
export function logClients(axes: Axes): void {
  axes.on('lockedOut', ({ username, ipAddress }) => {
    console.log(`Locked out: ${username} from ${ipAddress}`)
  })
  axes.on('loggedIn', ({ client }) => {
    console.log(`Signed in: ${client.username} from ${client.ipAddress}`)
  })
}
