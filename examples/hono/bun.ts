/**
 * The Hono login example on Bun: the peer address is what `getConnInfo` of `hono/bun` reports
 * (Bun's `server.requestIP`). node-axes keeps the lockouts in memory (one process here).
 *
 *   bun examples/hono/bun.ts         # then open http://localhost:3000
 */

import { getConnInfo } from 'hono/bun'
import { createAxes } from 'node-axes'
import { exampleOptions } from '../demo.js'
import { createHonoApp, logClients } from './app.js'

const axes = createAxes({ ...exampleOptions, handler: 'memory', logger: console })
logClients(axes)
const app = createHonoApp(axes, getConnInfo)
const port = Number(process.env.PORT ?? 3000)

// Bun serves the default export; Hono's fetch gets Bun's server as its `env`.
export default { port, fetch: app.fetch }
console.log(`node-axes Hono example on Bun: http://localhost:${port}`)
