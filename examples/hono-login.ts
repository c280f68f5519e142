/**
 * A login page on Hono, protected by node-axes; served here by @hono/node-server, the peer address
 * taken by Hono's own `getConnInfo` (@hono/node-server/conninfo). The same app runs on Bun, Deno
 * and Cloudflare Workers with that runtime's `getConnInfo` (examples/hono/).
 *
 *   npx tsx examples/hono-login.ts         # then open http://localhost:3000
 *
 * `protectLogin` reads the body (within a size limit), reserves an attempt, calls the password
 * check only for a client that is not locked out, records the outcome and answers a lockout with
 * the lockout page (JSON for `fetch` clients).
 */

import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Hono } from 'hono'
import { type Axes, createAxes } from 'node-axes'
import type { AxesVariables } from 'node-axes/hono'
import { exampleOptions, isMain } from './demo.js'
import { createHonoApp, logClients } from './hono/app.js'

/** The example's Hono app around a node-axes instance, on @hono/node-server. */
export function createApp(axes: Axes): Hono<{ Variables: AxesVariables }> {
  return createHonoApp(axes, getConnInfo)
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const axes = createAxes({ ...exampleOptions, logger: console })
  logClients(axes)
  const app = createApp(axes)
  serve({ fetch: app.fetch, port }, () => {
    console.log(`node-axes Hono example: http://localhost:${port}`)
  })
}
